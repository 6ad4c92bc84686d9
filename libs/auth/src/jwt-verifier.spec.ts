import type { IdentityProviderConfig } from '@mcpg/policy';
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseCompactJwt } from './compact-jwt.js';
import { JwksCache } from './jwks-cache.js';
import { JwkKeySet, MAX_KEYS_TRIED_PER_TOKEN } from './jwk-key-set.js';
import { JwtVerifier } from './jwt-verifier.js';
import { AuthError } from './principal.js';

// Tokens are built by hand here (not with jose) so that every field of a malicious token can be set.
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const NOW_MS = 1_800_000_000_000;
const now = NOW_MS / 1000;

function token(header: Record<string, unknown>, claims: Record<string, unknown>, signWith: (input: Buffer) => Buffer): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${signWith(Buffer.from(input)).toString('base64url')}`;
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const signers: Record<string, (input: Buffer) => Buffer> = {
  RS256: (input) => sign('sha256', input, rsa.privateKey),
  ES256: (input) => sign('sha256', input, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' }),
  EdDSA: (input) => sign(null, input, ed.privateKey),
};
const jwk = (key: KeyObject, kid: string) => ({ ...(key.export({ format: 'jwk' }) as object), kid });
const keySet = new JwkKeySet({ keys: [jwk(rsa.publicKey, 'r1'), jwk(ec.publicKey, 'e1'), jwk(ed.publicKey, 'd1')] });

function provider(over: Partial<IdentityProviderConfig> = {}): IdentityProviderConfig {
  return {
    id: 'p', name: 'p', kind: 'jwt', position: 1, issuer: 'https://idp.example', audiences: ['api'], algorithms: ['RS256', 'ES256', 'EdDSA'],
    jwksUri: null, jwks: null, hmacSecret: null, clockSkewSeconds: 30, subjectClaim: 'sub', scopeClaim: 'scope',
    introspection: null, profile: 'standard', clientCa: null, ...over,
  } as IdentityProviderConfig;
}

const unusedJwks = new JwksCache({ fetchTimeoutMs: 100, cooldownMs: 1000, maxAgeMs: 1000 });
const claims = { iss: 'https://idp.example', aud: 'api', sub: 'alice', exp: now + 600 };

async function reasonOf(verifier: JwtVerifier, jwt: string): Promise<string> {
  try {
    await verifier.verify(parseCompactJwt(jwt), ['api'], NOW_MS);
    return 'accepted';
  } catch (err) {
    if (err instanceof AuthError) return err.reason;
    throw err;
  }
}

describe('JwtVerifier (node:crypto signatures)', () => {
  const verifier = new JwtVerifier(provider(), unusedJwks, keySet);

  it.each(['RS256', 'ES256', 'EdDSA'])('accepts a good %s token and returns its claims', async (alg) => {
    const kid = { RS256: 'r1', ES256: 'e1', EdDSA: 'd1' }[alg];
    const verified = await verifier.verify(parseCompactJwt(token({ alg, kid }, claims, signers[alg]!)), ['api'], NOW_MS);
    expect(verified).toMatchObject({ sub: 'alice', exp: now + 600 });
  });

  it('accepts HS256 only with the configured secret, and compares it in full', async () => {
    const secret = randomBytes(32);
    const hs = new JwtVerifier(provider({ algorithms: ['HS256'], hmacSecret: secret.toString('base64url') }), unusedJwks, null);
    const { createHmac } = await import('node:crypto');
    const good = token({ alg: 'HS256' }, claims, (input) => createHmac('sha256', secret).update(input).digest());
    expect(await reasonOf(hs, good)).toBe('accepted');
    expect(await reasonOf(hs, `${good.slice(0, good.lastIndexOf('.'))}.${good.slice(good.lastIndexOf('.') + 1, -4)}`)).toBe('bad_signature');
    const other = token({ alg: 'HS256' }, claims, (input) => createHmac('sha256', randomBytes(32)).update(input).digest());
    expect(await reasonOf(hs, other)).toBe('bad_signature');
    // The RSA public key (PEM) used as an HMAC secret: the classic confusion attack.
    const pem = rsa.publicKey.export({ format: 'pem', type: 'spki' });
    const confused = token({ alg: 'HS256', kid: 'r1' }, claims, (input) => createHmac('sha256', pem).update(input).digest());
    expect(await reasonOf(verifier, confused)).toBe('algorithm_not_allowed');
  });

  it.each<[string, () => string, string]>([
    ['alg none', () => `${b64({ alg: 'none' })}.${b64(claims)}.`, 'algorithm_not_allowed'],
    ['an algorithm outside the list', () => token({ alg: 'RS512', kid: 'r1' }, claims, signers.RS256!), 'algorithm_not_allowed'],
    ['a critical extension', () => token({ alg: 'RS256', kid: 'r1', crit: ['exp'], exp: 1 }, claims, signers.RS256!), 'malformed_token'],
    ['an unencoded payload', () => token({ alg: 'RS256', kid: 'r1', b64: false }, claims, signers.RS256!), 'malformed_token'],
    ['an unknown kid', () => token({ alg: 'RS256', kid: 'nope' }, claims, signers.RS256!), 'unknown_key_id'],
    ['ES256 signed as DER instead of r‖s', () => token({ alg: 'ES256', kid: 'e1' }, claims, (input) => sign('sha256', input, ec.privateKey)), 'bad_signature'],
    ['an RS256 signature under the ES256 kid', () => token({ alg: 'RS256', kid: 'e1' }, claims, signers.RS256!), 'unknown_key_id'],
    ['a payload swapped under a good signature', () => {
      const good = token({ alg: 'RS256', kid: 'r1' }, claims, signers.RS256!);
      const [h, , s] = good.split('.');
      return `${h}.${b64({ ...claims, sub: 'admin' })}.${s}`;
    }, 'bad_signature'],
    ['no exp', () => token({ alg: 'RS256', kid: 'r1' }, { ...claims, exp: undefined }, signers.RS256!), 'invalid_claims'],
    ['exp as a string', () => token({ alg: 'RS256', kid: 'r1' }, { ...claims, exp: String(now + 600) }, signers.RS256!), 'invalid_claims'],
    ['expired beyond the skew', () => token({ alg: 'RS256', kid: 'r1' }, { ...claims, exp: now - 31 }, signers.RS256!), 'token_expired'],
    ['not yet valid beyond the skew', () => token({ alg: 'RS256', kid: 'r1' }, { ...claims, nbf: now + 31 }, signers.RS256!), 'token_not_yet_valid'],
    ['a wrong issuer', () => token({ alg: 'RS256', kid: 'r1' }, { ...claims, iss: 'https://evil.example' }, signers.RS256!), 'wrong_issuer'],
    ['no issuer', () => token({ alg: 'RS256', kid: 'r1' }, { ...claims, iss: undefined }, signers.RS256!), 'wrong_issuer'],
    ['a wrong audience', () => token({ alg: 'RS256', kid: 'r1' }, { ...claims, aud: ['other'] }, signers.RS256!), 'wrong_audience'],
  ])('refuses %s', async (_, make, reason) => {
    expect(await reasonOf(verifier, make())).toBe(reason);
  });

  it('accepts tokens within the clock skew, at both ends', async () => {
    expect(await reasonOf(verifier, token({ alg: 'RS256', kid: 'r1' }, { ...claims, exp: now - 29 }, signers.RS256!))).toBe('accepted');
    expect(await reasonOf(verifier, token({ alg: 'RS256', kid: 'r1' }, { ...claims, nbf: now + 29 }, signers.RS256!))).toBe('accepted');
  });

  it('tries each key of the algorithm when the token names no kid, up to a bound', async () => {
    const others = Array.from({ length: MAX_KEYS_TRIED_PER_TOKEN - 1 }, () => jwk(generateKeyPairSync('ed25519').publicKey, 'x'));
    const noKids = new JwkKeySet({ keys: [...others, jwk(ed.publicKey, 'd1')].map(({ kid: _, ...key }) => key) });
    const v = new JwtVerifier(provider(), unusedJwks, noKids);
    expect(await reasonOf(v, token({ alg: 'EdDSA' }, claims, signers.EdDSA!))).toBe('accepted');
    const tooMany = new JwkKeySet({ keys: [...others, jwk(generateKeyPairSync('ed25519').publicKey, 'y'), jwk(ed.publicKey, 'd1')].map(({ kid: _, ...key }) => key) });
    expect(await reasonOf(new JwtVerifier(provider(), unusedJwks, tooMany), token({ alg: 'EdDSA' }, claims, signers.EdDSA!))).toBe('bad_signature');
  });
});

describe('parseCompactJwt', () => {
  it.each(['a.b.c', `${b64([1])}.${b64({})}.`, `${b64({ alg: 'RS256' })}.${b64('str')}.`, `${b64({})}.${b64({})}.x.y`, `.${b64({})}.`])(
    'refuses %s as malformed',
    (text) => {
      expect(() => parseCompactJwt(text)).toThrow(AuthError);
    },
  );
});

describe('JwkKeySet', () => {
  it('leaves out keys it must not or cannot use, saying why, and keeps the rest', () => {
    const set = new JwkKeySet({
      keys: [
        jwk(rsa.publicKey, 'ok'),
        { ...jwk(rsa.publicKey, 'enc'), use: 'enc' },
        { ...jwk(rsa.publicKey, 'ops'), key_ops: ['encrypt'] },
        { ...jwk(rsa.publicKey, 'ps'), alg: 'PS256' },
        { ...jwk(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey, 'weak') },
        { ...(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' }) as object), kid: 'p384' },
        { kty: 'oct', k: 'c2VjcmV0', kid: 'sym' },
        { kty: 'RSA', n: '!!', e: 'AQAB', kid: 'junk' },
        'not a key',
      ],
    });
    expect(set.size).toBe(1);
    expect(set.skipped.map((k) => k.kid)).toEqual(['enc', 'ops', 'ps', 'weak', 'p384', 'sym', 'junk', undefined]);
    expect(set.candidatesFor('RS256', 'ok')).toHaveLength(1);
    expect(set.candidatesFor('RS256', 'enc')).toHaveLength(0);
  });

  it('keeps only the public part of a key that carelessly includes its private members', () => {
    const set = new JwkKeySet({ keys: [{ ...(rsa.privateKey.export({ format: 'jwk' }) as object), kid: 'priv' }] });
    expect(set.candidatesFor('RS256', 'priv')[0]?.type).toBe('public');
  });

  it.each([null, 'text', { keys: 'x' }, []])('refuses %j as not a JWK set', (document) => {
    expect(() => new JwkKeySet(document)).toThrow(/not a JWK set/);
  });
});

describe('parseCompactJwt decoding', () => {
  it('decodes UTF-8 claims and every base64url length', () => {
    for (const name of ['José Müller', '東京', 'a', 'ab', 'abc', 'abcd']) {
      const parsed = parseCompactJwt(`${b64({ alg: 'HS256' })}.${b64({ name })}.sig`);
      expect(parsed.claims.name).toBe(name);
    }
  });
});
