import { describe, expect, it } from 'vitest';
import { generateSessionKey, parseSessionKeys, SessionSealer } from './session-seal.js';

const claims = { upstreamSessionId: 'upstream-123', tenantId: 't1', serverId: 's1', subject: 'apikey:k1' };

describe('sealed session ids', () => {
  it('opens what it sealed, and never shows the upstream id in the token', () => {
    const sealer = new SessionSealer(parseSessionKeys(generateSessionKey('a')));
    const token = sealer.seal(claims);
    expect(token).toMatch(/^s1\.a\.[A-Za-z0-9_-]+$/);
    expect(token).not.toContain('upstream-123');
    expect(sealer.open(token)).toEqual(claims);
  });

  it('refuses a token with any byte changed', () => {
    const sealer = new SessionSealer(parseSessionKeys(generateSessionKey('a')));
    const token = sealer.seal(claims);
    const body = Buffer.from(token.split('.')[2]!, 'base64url');
    for (let i = 0; i < body.length; i += 7) {
      const copy = Buffer.from(body);
      copy[i] = copy[i]! ^ 1;
      expect(sealer.open(`s1.a.${copy.toString('base64url')}`)).toBeNull();
    }
    expect(sealer.open('s1.b.' + token.split('.')[2])).toBeNull();
    expect(sealer.open('garbage')).toBeNull();
  });

  it('keeps opening tokens sealed with an older key after rotation, and refuses unknown keys', () => {
    const oldKey = generateSessionKey('old');
    const newKey = generateSessionKey('new');
    const before = new SessionSealer(parseSessionKeys(oldKey)).seal(claims);
    const rotated = new SessionSealer(parseSessionKeys(`${newKey},${oldKey}`));
    expect(rotated.open(before)).toEqual(claims);
    expect(rotated.seal(claims)).toMatch(/^s1\.new\./);
    expect(new SessionSealer(parseSessionKeys(newKey)).open(before)).toBeNull();
  });

  it('rejects malformed key configuration', () => {
    expect(() => parseSessionKeys('nokey')).toThrow();
    expect(() => parseSessionKeys(`a:${Buffer.alloc(16).toString('base64')}`)).toThrow(/32 bytes/);
  });
});
