import { describe, expect, it } from 'vitest';
import { API_KEY_LENGTH, generateApiKey, hashApiKey, parseApiKey } from './api-key-format.js';
import { authenticateApiKey } from './authenticate-api-key.js';
import { principalKey } from './principal.js';

describe('API key format', () => {
  it('generates keys with the mcpg_ prefix, fixed length and a valid checksum', () => {
    const key = generateApiKey();
    expect(key.secret).toMatch(/^mcpg_[0-9A-Za-z]+$/);
    expect(key.secret).toHaveLength(API_KEY_LENGTH);
    expect(key.prefix).toBe(key.secret.slice(0, 11));
    expect(parseApiKey(key.secret)).toEqual({ ok: true, hash: key.hash });
  });
  it('hashes with SHA-256 hex and never returns the secret in the hash', () => {
    const key = generateApiKey();
    expect(key.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(key.secret)).toBe(key.hash);
    expect(key.hash).not.toContain(key.secret.slice(5, 15));
  });
  it('generates different keys each time', () => {
    expect(generateApiKey().secret).not.toBe(generateApiKey().secret);
  });
  it('rejects a mistyped key by checksum before any lookup', () => {
    const { secret } = generateApiKey();
    const i = 10;
    const typo = secret.slice(0, i) + (secret[i] === 'a' ? 'b' : 'a') + secret.slice(i + 1);
    expect(parseApiKey(typo)).toEqual({ ok: false, error: 'bad_checksum' });
  });
  it('rejects wrong prefix, length and characters', () => {
    const { secret } = generateApiKey();
    expect(parseApiKey('sk_' + secret.slice(5))).toEqual({ ok: false, error: 'wrong_prefix' });
    expect(parseApiKey(secret + 'x')).toEqual({ ok: false, error: 'wrong_length' });
    expect(parseApiKey(secret.slice(0, -1) + '!')).toEqual({ ok: false, error: 'bad_characters' });
  });
});

describe('API key authentication', () => {
  const good = generateApiKey();
  const revoked = generateApiKey();
  const keys = new Map([
    [good.hash, { key: { id: 'k1', name: 'dev' }, isRevoked: false }],
    [revoked.hash, { key: { id: 'k2', name: 'old' }, isRevoked: true }],
  ]);
  const reasonOf = (header: string | undefined) => {
    try {
      authenticateApiKey(header, 't1', keys);
      return 'ok';
    } catch (err) {
      return (err as { reason: string }).reason;
    }
  };
  it('yields an apikey principal for a known key', () => {
    expect(authenticateApiKey(`Bearer ${good.secret}`, 't1', keys).principal).toEqual({
      tenantId: 't1', subject: 'apikey:k1', via: 'apikey', scopes: [], keyId: 'k1',
    });
  });
  it('names why a credential was refused', () => {
    expect(reasonOf(undefined)).toBe('missing_credentials');
    expect(reasonOf(`Basic ${good.secret}`)).toBe('unsupported_scheme');
    expect(reasonOf('Bearer garbage')).toBe('malformed_key');
    expect(reasonOf(`Bearer ${generateApiKey().secret}`)).toBe('unknown_key');
    expect(reasonOf(`Bearer ${revoked.secret}`)).toBe('revoked_key');
  });
});

describe('principal key', () => {
  it('keeps a JWT whose subject looks like an API key apart from that key', () => {
    const key = principalKey({ tenantId: 't1', subject: 'apikey:k1', via: 'apikey', scopes: [], keyId: 'k1' });
    const jwt = principalKey({ tenantId: 't1', subject: 'apikey:k1', via: 'jwt', scopes: [], providerId: 'p1' });
    const otherIdp = principalKey({ tenantId: 't1', subject: 'apikey:k1', via: 'jwt', scopes: [], providerId: 'p2' });
    expect(new Set([key, jwt, otherIdp]).size).toBe(3);
  });
});
