// Cost of authenticating one request in the proxy's hot path: an API key (checksum + SHA-256 +
// map lookup) and JWTs whose verification key is already cached (no network), per algorithm.
// Run after a build: `node bench/auth-verification.mjs` (never part of the tests).
import { randomBytes } from 'node:crypto';
import { JwksCache, TenantAuthenticator, TokenIntrospector, generateApiKey } from '@mcpg/auth';
import { startTokenIssuer } from '@mcpg/testing';
import { SignJWT, base64url } from 'jose';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 20_000);
const RESOURCE = 'https://proxy.example/t/acme/files/mcp';

const issuer = await startTokenIssuer();
const hmacSecret = randomBytes(32);
const provider = (over) => ({
  id: over.id, name: over.id, kind: 'jwt', position: 1, issuer: issuer.issuer, audiences: ['api'], algorithms: ['RS256', 'ES256', 'EdDSA'],
  jwksUri: issuer.jwksUri, jwks: null, hmacSecret: null, clockSkewSeconds: 30, subjectClaim: 'sub', scopeClaim: 'scope',
  introspection: null, profile: 'standard', clientCa: null, ...over,
});

// 10 000 keys, as a large tenant might have: lookup cost must not depend on the count.
const keysByHash = new Map();
const keys = Array.from({ length: 10_000 }, (_, i) => {
  const key = generateApiKey();
  keysByHash.set(key.hash, { key: { id: `k${i}`, name: `k${i}` }, isRevoked: false, expiresAtMs: null });
  return key;
});
const authenticator = new TenantAuthenticator(
  {
    tenantId: 't1',
    keysByHash,
    identityProviders: [provider({ id: 'idp' }), provider({ id: 'hs', issuer: 'https://hs.example', algorithms: ['HS256'], jwksUri: null, hmacSecret: base64url.encode(hmacSecret) })],
  },
  {
    jwks: new JwksCache({ fetchTimeoutMs: 2000, cooldownMs: 30_000, maxAgeMs: 3_600_000 }),
    introspector: new TokenIntrospector({ timeoutMs: 2000, maxCacheTtlMs: 60_000, inactiveCacheTtlMs: 10_000 }),
  },
);

function report(name, totalNs, count) {
  const perOpUs = Number(totalNs) / count / 1000;
  console.log(`${name.padEnd(44)} ${perOpUs.toFixed(1).padStart(7)} µs/request  (${Math.round(1e6 / perOpUs).toLocaleString('en')} /s on one core)`);
}

/** The same credential on every request (a client's session): the common case. */
async function measure(name, authorization) {
  await authenticator.authenticate(authorization, RESOURCE); // warm: JWKS fetched and keys imported once
  for (let i = 0; i < 1000; i++) await authenticator.authenticate(authorization, RESOURCE);
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) await authenticator.authenticate(authorization, RESOURCE);
  report(name, process.hrtime.bigint() - start, ITERATIONS);
}

/** A token never seen before: the full signature check (key already cached, no network). */
async function measureFirstSeen(name, sign) {
  const count = Math.min(ITERATIONS, 2000);
  await authenticator.authenticate(await sign(-1), RESOURCE);
  const tokens = await Promise.all(Array.from({ length: count }, (_, i) => sign(i)));
  const start = process.hrtime.bigint();
  for (const authorization of tokens) await authenticator.authenticate(authorization, RESOURCE);
  report(name, process.hrtime.bigint() - start, count);
}

const now = Math.floor(Date.now() / 1000);
console.log(`node ${process.version}, ${ITERATIONS} iterations each`);
await measure('API key (10 000 keys in tenant)', `Bearer ${keys[4321].secret}`);
for (const alg of ['RS256', 'ES256', 'EdDSA']) {
  await measure(`JWT ${alg}, repeated token`, `Bearer ${await issuer.sign({ alg, audience: 'api', claims: { scope: 'a b' }, expiresInS: 3600 })}`);
}
const hs = (jti) => new SignJWT({ sub: 'svc', scope: 'a', jti: String(jti) }).setProtectedHeader({ alg: 'HS256' }).setIssuer('https://hs.example')
  .setAudience('api').setExpirationTime(now + 3600).sign(hmacSecret).then((t) => `Bearer ${t}`);
await measure('JWT HS256, repeated token', await hs('x'));
for (const alg of ['RS256', 'ES256', 'EdDSA']) {
  await measureFirstSeen(`JWT ${alg}, first sight (cached JWKS key)`, (i) =>
    issuer.sign({ alg, audience: 'api', claims: { scope: 'a b', jti: `${alg}-${i}` }, expiresInS: 3600 }).then((t) => `Bearer ${t}`));
}
await measureFirstSeen('JWT HS256, first sight', hs);
await issuer.close();
