import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openSinkSecret, parseSinkSecretKey, sealSinkSecret } from './sink-secret-box.js';

describe('sink secret box', () => {
  const key = randomBytes(32);

  it('seals and opens a secret for its sink only, never showing it in the sealed form', () => {
    const sealed = sealSinkSecret(key, 'sink-1', { token: 'hec-token-123' });
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('hec-token-123');
    expect(openSinkSecret(key, 'sink-1', sealed)).toEqual({ token: 'hec-token-123' });
    expect(() => openSinkSecret(key, 'sink-2', sealed)).toThrow('does not open');
    expect(() => openSinkSecret(randomBytes(32), 'sink-1', sealed)).toThrow('does not open');
    expect(sealSinkSecret(key, 'sink-1', { token: 'hec-token-123' })).not.toBe(sealed);
  });

  it('takes 32-byte keys as hex or base64', () => {
    expect(parseSinkSecretKey(key.toString('hex'))).toEqual(key);
    expect(parseSinkSecretKey(key.toString('base64'))).toEqual(key);
    expect(() => parseSinkSecretKey('short')).toThrow('must be 32 bytes');
  });
});
