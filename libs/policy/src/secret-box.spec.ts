import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isSealedUnderCurrentKey, openSecret, parseSecretsKey, parseSecretsKeyRing, sealSecret } from './secret-box.js';

describe('secret box', () => {
  const key = randomBytes(32);

  it('opens what it sealed, in the same context only', () => {
    const sealed = sealSecret(key, 'top secret', 'server-1');
    expect(sealed).toMatch(/^sb1\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(Buffer.from('top secret').toString('base64url'));
    expect(openSecret(key, sealed, 'server-1')).toBe('top secret');
    expect(openSecret(key, sealed, 'server-2')).toBeNull();
  });

  it('seals the same secret in the same context to the same text, and differs across contexts and secrets', () => {
    expect(sealSecret(key, 'a', 'ctx')).toBe(sealSecret(key, 'a', 'ctx'));
    expect(sealSecret(key, 'a', 'ctx')).not.toBe(sealSecret(key, 'a', 'other'));
    expect(sealSecret(key, 'a', 'ctx').slice(0, 20)).not.toBe(sealSecret(key, 'b', 'ctx').slice(0, 20));
  });

  it('opens nothing under another key, with any altered byte, or from garbage', () => {
    const sealed = sealSecret(key, 'top secret', 'ctx');
    expect(openSecret(randomBytes(32), sealed, 'ctx')).toBeNull();
    const raw = Buffer.from(sealed.slice(4), 'base64url');
    for (const at of [0, 12, raw.length - 1]) {
      const tampered = Buffer.from(raw);
      tampered[at]! ^= 1;
      expect(openSecret(key, `sb1.${tampered.toString('base64url')}`, 'ctx')).toBeNull();
    }
    expect(openSecret(key, 'sb1.', 'ctx')).toBeNull();
    expect(openSecret(key, 'plain text', 'ctx')).toBeNull();
  });

  it('reads a 32-byte key as base64 or hex and refuses other lengths without echoing them', () => {
    expect(parseSecretsKey(key.toString('base64')).equals(key)).toBe(true);
    expect(parseSecretsKey(key.toString('hex')).equals(key)).toBe(true);
    expect(() => parseSecretsKey(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });

  it('rotates with a ring: the first key seals, every key opens', () => {
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
    const before = sealSecret(oldKey, 'secret', 'ctx');
    const ring = parseSecretsKeyRing(`${newKey.toString('base64')},${oldKey.toString('hex')}`);
    expect(openSecret(ring, before, 'ctx')).toBe('secret');
    expect(isSealedUnderCurrentKey(ring, before, 'ctx')).toBe(false);
    const after = sealSecret(ring, 'secret', 'ctx');
    expect(openSecret(newKey, after, 'ctx')).toBe('secret');
    expect(openSecret(oldKey, after, 'ctx')).toBeNull();
    expect(isSealedUnderCurrentKey(ring, after, 'ctx')).toBe(true);
    expect(() => parseSecretsKeyRing(`${newKey.toString('base64')},${newKey.toString('hex')}`)).toThrow(/twice/);
    expect(() => parseSecretsKeyRing(' , ')).toThrow(/at least one/);
  });
});
