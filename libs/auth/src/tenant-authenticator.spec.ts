import type { IdentityProviderConfig } from '@mcpg/policy';
import { startTokenIssuer, type TokenIssuer } from '@mcpg/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwksCache } from './jwks-cache.js';
import { TenantAuthenticator } from './tenant-authenticator.js';
import { TokenIntrospector } from './token-introspection.js';

const RESOURCE = 'https://proxy.example/t/acme/files/mcp';
let issuer: TokenIssuer;

beforeAll(async () => {
  issuer = await startTokenIssuer();
});
afterAll(() => issuer?.close());

function provider(over: Partial<IdentityProviderConfig>): IdentityProviderConfig {
  return {
    id: 'p1', name: 'p1', kind: 'jwt', position: 1, issuer: issuer.issuer, audiences: ['api'], algorithms: ['RS256', 'ES256', 'EdDSA'],
    jwksUri: issuer.jwksUri, jwks: null, hmacSecret: null, clockSkewSeconds: 0, subjectClaim: 'sub', scopeClaim: 'scope',
    introspection: null, profile: 'standard', clientCa: null, ...over,
  };
}

function authenticator(providers: IdentityProviderConfig[], services?: { jwks?: JwksCache; introspector?: TokenIntrospector }) {
  return new TenantAuthenticator(
    { tenantId: 't1', keysByHash: new Map(), identityProviders: providers },
    {
      jwks: services?.jwks ?? new JwksCache({ fetchTimeoutMs: 1000, cooldownMs: 1000, maxAgeMs: 60_000 }),
      introspector: services?.introspector ?? new TokenIntrospector({ timeoutMs: 1000, maxCacheTtlMs: 60_000, inactiveCacheTtlMs: 1000 }),
    },
  );
}

async function reasonOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'accepted';
  } catch (err) {
    return (err as { reason?: string }).reason ?? String(err);
  }
}

describe('JWKS cache', () => {
  it('refetches on an unknown kid at most once per cool-down, however many forged kids arrive', async () => {
    const cache = new JwksCache({ fetchTimeoutMs: 1000, cooldownMs: 1000, maxAgeMs: 60_000 });
    const t0 = 1_000_000;
    const before = issuer.jwksFetches;
    const keys = await cache.keysFor(issuer.jwksUri, 'RS256', undefined, t0);
    expect(keys.length).toBeGreaterThan(0);
    expect(issuer.jwksFetches - before).toBe(1);
    const forged = await Promise.all(Array.from({ length: 20 }, (_, i) => reasonOf(cache.keysFor(issuer.jwksUri, 'RS256', `x${i}`, t0 + 10))));
    expect(new Set(forged)).toEqual(new Set(['unknown_key_id']));
    expect(issuer.jwksFetches - before).toBe(1);
    // After the cool-down, one more fetch finds a key the IdP has rotated in.
    const kid = await issuer.rotate('RS256');
    await expect(cache.keysFor(issuer.jwksUri, 'RS256', kid, t0 + 1010)).resolves.toBeDefined();
    expect(issuer.jwksFetches - before).toBe(2);
  });

  it('serves the cached key set when the endpoint is down after max age, and tries again only after the cool-down', async () => {
    const down = await startTokenIssuer();
    try {
      const cache = new JwksCache({ fetchTimeoutMs: 1000, cooldownMs: 1000, maxAgeMs: 5000 });
      await cache.keysFor(down.jwksUri, 'ES256', undefined, 0);
      down.jwksMode = 'down';
      const fetches = down.jwksFetches;
      await expect(cache.keysFor(down.jwksUri, 'ES256', undefined, 6000)).resolves.toBeDefined();
      await expect(cache.keysFor(down.jwksUri, 'ES256', undefined, 6500)).resolves.toBeDefined();
      expect(down.jwksFetches - fetches).toBe(1);
    } finally {
      await down.close();
    }
  });
});

describe('tenant authenticator', () => {
  it('lets the first provider that recognises the issuer decide: a rejection there does not fall through', async () => {
    const auth = authenticator([provider({ id: 'strict', audiences: ['other'] }), provider({ id: 'lenient', position: 2 })]);
    expect(await reasonOf(auth.authenticate(`Bearer ${await issuer.sign({ audience: 'api' })}`, RESOURCE))).toBe('wrong_audience');
  });

  it('leaves out a provider whose keys cannot be loaded and keeps authenticating with the others', async () => {
    const auth = authenticator([
      provider({ id: 'broken-ca', kind: 'mtls', issuer: 'mtls:x', clientCa: { caBundlePem: 'junk', identityFrom: 'subject-cn', crlPem: null } }),
      provider({ id: 'good', position: 2 }),
    ]);
    expect(auth.unusableProviders.map((p) => p.providerId)).toEqual(['broken-ca']);
    expect(auth.acceptsClientCertificates).toBe(false);
    expect(await reasonOf(auth.authenticate(`Bearer ${await issuer.sign({ audience: 'api' })}`, RESOURCE))).toBe('accepted');
  });

  it('verifies with inline keys (no JWKS URI) and never fetches', async () => {
    const jwks = (await (await fetch(issuer.jwksUri)).json()) as { keys: Array<Record<string, unknown>> };
    const fetches = issuer.jwksFetches;
    const auth = authenticator([provider({ jwksUri: null, jwks })]);
    for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
      expect(await reasonOf(auth.authenticate(`Bearer ${await issuer.sign({ alg, audience: 'api' })}`, RESOURCE)), alg).toBe('accepted');
    }
    const kid = await issuer.rotate('RS256');
    expect(await reasonOf(auth.authenticate(`Bearer ${await issuer.sign({ kid, audience: 'api' })}`, RESOURCE))).toBe('unknown_key_id');
    expect(issuer.jwksFetches).toBe(fetches);
  });

  it('maps the subject and scopes from configurable claims, nested and as arrays', async () => {
    const auth = authenticator([provider({ subjectClaim: 'email', scopeClaim: 'realm_access.roles' })]);
    const token = await issuer.sign({ audience: 'api', claims: { email: 'a@acme', realm_access: { roles: ['tools:echo', 7, 'admin'] } } });
    const { principal } = await auth.authenticate(`Bearer ${token}`, RESOURCE);
    expect(principal).toEqual({ tenantId: 't1', subject: 'a@acme', via: 'jwt', scopes: ['tools:echo', 'admin'], providerId: 'p1' });
    expect(await reasonOf(auth.authenticate(`Bearer ${await issuer.sign({ audience: 'api' })}`, RESOURCE))).toBe('missing_subject');
  });

  it('applies the clock skew to exp and nbf', async () => {
    const auth = authenticator([provider({ clockSkewSeconds: 120 })]);
    expect(await reasonOf(auth.authenticate(`Bearer ${await issuer.sign({ audience: 'api', expiresInS: -60 })}`, RESOURCE))).toBe('accepted');
    expect(await reasonOf(auth.authenticate(`Bearer ${await issuer.sign({ audience: 'api', notBeforeInS: 60 })}`, RESOURCE))).toBe('accepted');
    expect(await reasonOf(auth.authenticate(`Bearer ${await issuer.sign({ audience: 'api', expiresInS: -180 })}`, RESOURCE))).toBe('token_expired');
  });
});

describe('verified-token cache', () => {
  it('remembers a verified token but never past its expiry, and only for the audiences it was checked against', async () => {
    const auth = authenticator([oauthProvider()]);
    const now = Date.now();
    const token = await issuer.sign({ audience: RESOURCE, expiresInS: 30 });
    expect(await reasonOf(auth.authenticate(`Bearer ${token}`, RESOURCE, now))).toBe('accepted');
    expect(await reasonOf(auth.authenticate(`Bearer ${token}`, RESOURCE.replace('files', 'other'), now))).toBe('wrong_audience');
    expect(await reasonOf(auth.authenticate(`Bearer ${token}`, RESOURCE, now + 31_000))).toBe('token_expired');
  });
});

function oauthProvider(): IdentityProviderConfig {
  return provider({ kind: 'oauth' });
}

describe('OAuth resource server and IdP profiles', () => {
  const oauth = (profile: IdentityProviderConfig['profile'], audiences: string[] = []) =>
    provider({ kind: 'oauth', profile, audiences });

  it('standard: the token must name this resource (RFC 8707)', async () => {
    const auth = authenticator([oauth('standard')]);
    expect(await reasonOf(auth.authenticate(`Bearer ${await issuer.sign({ audience: RESOURCE })}`, RESOURCE))).toBe('accepted');
    expect(await reasonOf(auth.authenticate(`Bearer ${await issuer.sign({ audience: 'client-123' })}`, RESOURCE))).toBe('wrong_audience');
    expect(await reasonOf(auth.authenticate(`Bearer ${await issuer.sign({ audience: RESOURCE.replace('files', 'other') })}`, RESOURCE))).toBe('wrong_audience');
  });

  it('audience-is-client-id: accepts the configured client id in aud instead of the resource', async () => {
    const auth = authenticator([oauth('audience-is-client-id', ['client-123'])]);
    expect(await reasonOf(auth.authenticate(`Bearer ${await issuer.sign({ audience: 'client-123' })}`, RESOURCE))).toBe('accepted');
    expect(await reasonOf(auth.authenticate(`Bearer ${await issuer.sign({ audience: 'client-999' })}`, RESOURCE))).toBe('wrong_audience');
  });

  it('no-resource-parameter: accepts the resource or the configured audience', async () => {
    const auth = authenticator([oauth('no-resource-parameter', ['https://api.acme.example'])]);
    expect(await reasonOf(auth.authenticate(`Bearer ${await issuer.sign({ audience: 'https://api.acme.example' })}`, RESOURCE))).toBe('accepted');
    expect(await reasonOf(auth.authenticate(`Bearer ${await issuer.sign({ audience: RESOURCE })}`, RESOURCE))).toBe('accepted');
    expect(await reasonOf(auth.authenticate(`Bearer ${await issuer.sign({ audience: 'client-1' })}`, RESOURCE))).toBe('wrong_audience');
  });

  it('caches an introspection answer until the token expires or the TTL bound, whichever is first', async () => {
    const introspector = new TokenIntrospector({ timeoutMs: 1000, maxCacheTtlMs: 10_000, inactiveCacheTtlMs: 1000 });
    const auth = authenticator(
      [provider({ kind: 'oauth', jwksUri: null, algorithms: ['RS256'], introspection: { url: issuer.introspectionUrl, clientId: issuer.clientId, clientSecret: issuer.clientSecret } })],
      { introspector },
    );
    const now = Date.now();
    const token = issuer.issueOpaque({ sub: 'bob', aud: RESOURCE, exp: Math.floor(now / 1000) + 3600, scope: 'a b' });
    const calls = issuer.introspectionCalls;
    const { principal } = await auth.authenticate(`Bearer ${token}`, RESOURCE, now);
    expect(principal).toMatchObject({ subject: 'bob', via: 'oauth', scopes: ['a', 'b'] });
    await auth.authenticate(`Bearer ${token}`, RESOURCE, now + 9_000);
    expect(issuer.introspectionCalls - calls).toBe(1);
    // Past the TTL bound the authorization server is asked again — and revocation there now shows.
    issuer.revokeOpaque(token);
    expect(await reasonOf(auth.authenticate(`Bearer ${token}`, RESOURCE, now + 10_001))).toBe('token_inactive');
    expect(issuer.introspectionCalls - calls).toBe(2);
  });

  it('refuses tokens when introspection fails (wrong client secret) rather than letting them in', async () => {
    const auth = authenticator([
      provider({ kind: 'oauth', jwksUri: null, introspection: { url: issuer.introspectionUrl, clientId: issuer.clientId, clientSecret: 'wrong' } }),
    ]);
    const token = issuer.issueOpaque({ sub: 'bob', aud: RESOURCE });
    expect(await reasonOf(auth.authenticate(`Bearer ${token}`, RESOURCE))).toBe('introspection_unavailable');
  });
});
