import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createLogger } from '@mcpg/observability';
import { openIdentityProviderSecrets } from '@mcpg/policy';
import { createTestPki, startTokenIssuer } from '@mcpg/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneHarness } from '../testing/control-plane-harness.js';
import { openProviderSecret, resealProviderSecrets } from './stored-provider-secrets.js';

const FIELDS = 'id tenantId name kind position issuer audiences algorithms jwksUri jwks hasHmacSecret clockSkewSeconds subjectClaim scopeClaim introspectionUrl clientId hasClientSecret profile caBundlePem certIdentityFrom crlPem';
const CREATE = `mutation($input: CreateIdentityProviderInput!) { createIdentityProvider(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation($input: UpdateIdentityProviderInput!) { updateIdentityProvider(input: $input) { ${FIELDS} } }`;
const DELETE = 'mutation($id: ID!) { deleteIdentityProvider(id: $id) { id } }';
const DIFF = 'query($t: ID!, $f: Int!, $to: Int!) { snapshotDiff(tenantId: $t, fromVersion: $f, toVersion: $to) { text changes { section id kind fields before after } } }';
const DRY_RUN = 'query($i: SetToolRuleInput!) { dryRunToolRule(input: $i) { compiled } }';
const LIST = `query($t: ID!) { identityProviders(tenantId: $t) { nodes { ${FIELDS} } } }`;

interface Provider {
  id: string;
  position: number;
  hasHmacSecret: boolean;
  hasClientSecret: boolean;
  [field: string]: unknown;
}

describe('identity providers', () => {
  let cp: ControlPlaneHarness;
  let tenantId: string;
  const hmacSecret = randomBytes(32).toString('base64url');
  const clientSecret = randomBytes(16).toString('hex');
  beforeAll(async () => {
    cp = await ControlPlaneHarness.start('cp_identity_providers');
    tenantId = (await cp.createTenant('acme')).id;
  });
  afterAll(() => cp?.close());

  it('creates a JWT provider with defaults and publishes it in the next snapshot', async () => {
    const { createIdentityProvider: p } = await cp.ok<{ createIdentityProvider: Provider }>(CREATE, {
      input: { tenantId, name: 'corp idp', issuer: 'https://idp.example.com', audiences: ['mcp'], algorithms: ['RS256', 'ES256'], jwksUri: 'https://idp.example.com/jwks' },
    });
    expect(p).toMatchObject({ kind: 'jwt', position: 1, clockSkewSeconds: 60, subjectClaim: 'sub', scopeClaim: 'scope', profile: 'standard', hasHmacSecret: false });
    const { snapshot } = await cp.snapshotInRedis(tenantId);
    expect(snapshot.identityProviders).toEqual([
      {
        id: p.id, name: 'corp idp', kind: 'jwt', position: 1, issuer: 'https://idp.example.com', audiences: ['mcp'], algorithms: ['ES256', 'RS256'],
        jwksUri: 'https://idp.example.com/jwks', jwks: null, hmacSecretSealed: null, clockSkewSeconds: 60, subjectClaim: 'sub', scopeClaim: 'scope',
        introspection: null, profile: 'standard', clientCa: null,
      },
    ]);
  });

  it('keeps secrets write-only and sealed: flags in the API, sealed at rest and in the snapshot', async () => {
    const { createIdentityProvider: p } = await cp.ok<{ createIdentityProvider: Provider }>(CREATE, {
      input: {
        tenantId, name: 'auth server', kind: 'oauth', issuer: 'https://as.example.com', algorithms: ['HS256'], hmacSecret,
        introspectionUrl: 'https://as.example.com/introspect', clientId: 'mcpg', clientSecret,
      },
    });
    expect(p).toMatchObject({ position: 2, hasHmacSecret: true, hasClientSecret: true, clientId: 'mcpg' });
    const listing = await cp.ok(LIST, { t: tenantId });
    expect(JSON.stringify(listing)).not.toContain(hmacSecret);
    expect(JSON.stringify(listing)).not.toContain(clientSecret);
    expect(cp.logLines.join('\n')).not.toContain(clientSecret);
    // At rest: sealed, bound to the row.
    const row = await cp.prisma.identityProvider.findUniqueOrThrow({ where: { id: p.id } });
    expect(JSON.stringify(row)).not.toContain(hmacSecret);
    expect(JSON.stringify(row)).not.toContain(clientSecret);
    expect(row.hmacSecret).toMatch(/^sb1\./);
    // In Redis: sealed for proxies; only the key opens it, and only for this tenant.
    const { jws, snapshot } = await cp.snapshotInRedis(tenantId);
    expect(jws).not.toContain(Buffer.from(hmacSecret).toString('base64url'));
    expect(JSON.stringify(snapshot)).not.toContain(hmacSecret);
    expect(JSON.stringify(snapshot)).not.toContain(clientSecret);
    const sealed = snapshot.identityProviders[1]!;
    expect(openIdentityProviderSecrets(cp.config.upstreamCredentialsKey!, tenantId, sealed)).toMatchObject({
      isSealedSecretUnopened: false,
      provider: { hmacSecret, introspection: { url: 'https://as.example.com/introspect', clientId: 'mcpg', clientSecret } },
    });
    expect(openIdentityProviderSecrets(cp.config.upstreamCredentialsKey!, randomUUID(), sealed).isSealedSecretUnopened).toBe(true);
    expect(openIdentityProviderSecrets(randomBytes(32), tenantId, sealed)).toMatchObject({ isSealedSecretUnopened: true, provider: { hmacSecret: null, introspection: null } });
    // A dry run shows the compiled snapshot: that providers have secrets, not even their sealed form.
    const key = await cp.createApiKey(tenantId);
    const dryRun = await cp.ok<{ dryRunToolRule: { compiled: string } }>(DRY_RUN, { i: { apiKeyId: key.id, toolGlobs: ['echo'] } });
    expect(dryRun.dryRunToolRule.compiled).not.toContain('sb1.');
    expect(dryRun.dryRunToolRule.compiled).not.toContain(hmacSecret);
    expect(JSON.parse(dryRun.dryRunToolRule.compiled).identityProviders[1]).toMatchObject({ hasHmacSecret: true, introspection: { clientId: 'mcpg' } });

    // An update that does not mention the secrets keeps them.
    const { updateIdentityProvider: u } = await cp.ok<{ updateIdentityProvider: Provider }>(UPDATE, { input: { id: p.id, clockSkewSeconds: 5, position: 0 } });
    expect(u).toMatchObject({ clockSkewSeconds: 5, position: 0, hasHmacSecret: true, hasClientSecret: true });
    const after = (await cp.snapshotInRedis(tenantId)).snapshot;
    expect(after.identityProviders.map((i) => i.name)).toEqual(['auth server', 'corp idp']);
    expect(after.identityProviders[0]).toMatchObject({ clockSkewSeconds: 5 });
    expect(openIdentityProviderSecrets(cp.config.upstreamCredentialsKey!, tenantId, after.identityProviders[0]!).provider.hmacSecret).toBe(hmacSecret);

    // Version diffs show that the provider changed, never its secrets.
    const manifest = await cp.manifestVersion(tenantId);
    const diff = await cp.ok<{ snapshotDiff: { changes: Array<{ section: string; fields: string[]; before: string; after: string }> } }>(DIFF, { t: tenantId, f: manifest - 1, to: manifest });
    expect(diff.snapshotDiff.changes).toEqual([expect.objectContaining({ section: 'identityProviders', fields: ['clockSkewSeconds', 'position'] })]);
    const rotated = await cp.ok(UPDATE, { input: { id: p.id, hmacSecret: randomBytes(32).toString('base64url') } });
    expect(rotated).toBeDefined();
    const rotatedDiff = await cp.ok<{ snapshotDiff: { text: string; changes: Array<{ fields: string[] }> } }>(DIFF, { t: tenantId, f: manifest, to: manifest + 1 });
    expect(rotatedDiff.snapshotDiff.changes[0]?.fields).toEqual(['hmacSecretSealed']);
    expect(JSON.stringify(rotatedDiff)).not.toContain('sb1.');
  });

  it('seals, on start, provider secrets an earlier version stored in clear', async () => {
    const legacy = await cp.prisma.identityProvider.create({
      data: { tenantId, name: 'legacy', kind: 'jwt', position: 50, issuer: 'https://legacy.example', audiences: ['mcp'], algorithms: ['HS256'], hmacSecret, clockSkewSeconds: 0, subjectClaim: 'sub', scopeClaim: 'scope', profile: 'standard' },
    });
    expect(await resealProviderSecrets(cp.prisma, cp.config.upstreamCredentialsKey!, createLogger({ app: 'test' }, 'error'))).toBe(1);
    const row = await cp.prisma.identityProvider.findUniqueOrThrow({ where: { id: legacy.id } });
    expect(row.hmacSecret).toMatch(/^sb1\./);
    expect(openProviderSecret(cp.config.upstreamCredentialsKey!, row, 'hmacSecret')).toBe(hmacSecret);
    expect(await resealProviderSecrets(cp.prisma, cp.config.upstreamCredentialsKey!, createLogger({ app: 'test' }, 'error'))).toBe(0);
    await cp.prisma.identityProvider.delete({ where: { id: legacy.id } });
  });

  it('deletes a provider, and the next snapshot no longer has it', async () => {
    const { identityProviders } = await cp.ok<{ identityProviders: { nodes: Provider[] } }>(LIST, { t: tenantId });
    await cp.ok(DELETE, { id: identityProviders.nodes[0]!.id });
    const { snapshot } = await cp.snapshotInRedis(tenantId);
    expect(snapshot.identityProviders.map((i) => i.name)).toEqual(['corp idp']);
    const again = await cp.graphql(DELETE, { id: identityProviders.nodes[0]!.id });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
  });

  it.each([
    ['algorithms', { algorithms: ['none'] }],
    ['algorithms', { algorithms: [] }],
    ['hmacSecret', { algorithms: ['HS256'] }],
    ['hmacSecret', { algorithms: ['HS256'], hmacSecret: 'c2hvcnQ' }],
    ['jwksUri', { jwksUri: null }],
    ['jwksUri', { jwksUri: 'http://idp.example.com/jwks' }],
    ['jwks', { jwksUri: null, jwks: '{"keys":[{"kty":"RSA","n":"x","e":"AQAB","d":"private"}]}' }],
    ['jwks', { jwksUri: null, jwks: 'not json' }],
    ['jwks', { jwksUri: null, jwks: '{"keys":[{"kty":"RSA","kid":"junk","n":"x","e":"AQAB"}]}' }],
    ['jwks', { jwksUri: null, jwks: JSON.stringify({ keys: [{ ...rsaPublicJwk(1024), kid: 'weak' }] }) }],
    ['jwks', { jwksUri: null, jwks: JSON.stringify({ keys: [{ ...rsaPublicJwk(2048), use: 'enc' }] }) }],
    ['audiences', { audiences: [] }],
    ['kind', { kind: 'saml' }],
    ['profile', { profile: 'whatever' }],
    ['clockSkewSeconds', { clockSkewSeconds: 3600 }],
    ['introspectionUrl', { kind: 'oauth', introspectionUrl: 'https://as.example.com/introspect' }],
    ['caBundlePem', { kind: 'mtls', certIdentityFrom: 'san-uri' }],
    ['caBundlePem', { kind: 'mtls', certIdentityFrom: 'san-uri', caBundlePem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }],
    ['certIdentityFrom', { kind: 'mtls', certIdentityFrom: 'serial-number', caBundlePem: null }],
  ])('rejects an invalid %s with BAD_USER_INPUT and publishes nothing', async (field, override) => {
    const before = await cp.manifestVersion(tenantId);
    const result = await cp.graphql(CREATE, {
      input: { tenantId, name: `bad-${randomBytes(3).toString('hex')}`, issuer: `https://${randomBytes(3).toString('hex')}.example`, audiences: ['mcp'], algorithms: ['RS256'], jwksUri: 'https://idp.example.com/jwks', ...override },
    });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await cp.manifestVersion(tenantId)).toBe(before);
  });

  it('refuses a second provider with the same issuer in a tenant with CONFLICT', async () => {
    const result = await cp.graphql(CREATE, {
      input: { tenantId, name: 'dup', issuer: 'https://idp.example.com', audiences: ['mcp'], algorithms: ['RS256'], jwksUri: 'https://idp.example.com/jwks' },
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('grants tool globs to a scope, published as a scope rule', async () => {
    const { setScopeToolRule } = await cp.ok<{ setScopeToolRule: { id: string; scope: string; apiKeyId: string | null } }>(
      'mutation($input: SetScopeToolRuleInput!) { setScopeToolRule(input: $input) { id scope apiKeyId toolGlobs } }',
      { input: { tenantId, scope: 'tools:read', toolGlobs: ['get-*', 'echo'] } },
    );
    expect(setScopeToolRule).toMatchObject({ scope: 'tools:read', apiKeyId: null });
    const { snapshot } = await cp.snapshotInRedis(tenantId);
    expect(snapshot.rules).toContainEqual({ resourceGlobs: [], promptGlobs: [], id: setScopeToolRule.id, scope: 'tools:read', toolGlobs: ['echo', 'get-*'] });
    const bad = await cp.graphql('mutation($input: SetScopeToolRuleInput!) { setScopeToolRule(input: $input) { id } }', {
      input: { tenantId, scope: 'has space', toolGlobs: [] },
    });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'scope' });
  });

  it('creates an mTLS provider from a CA bundle; a leaf certificate is not accepted as a CA', async () => {
    const pki = createTestPki();
    try {
      const ca = pki.createCa('Acme Client CA');
      const { createIdentityProvider: p } = await cp.ok<{ createIdentityProvider: Provider }>(CREATE, {
        input: { tenantId, name: 'agents', kind: 'mtls', caBundlePem: ca.certPem, certIdentityFrom: 'san-uri' },
      });
      expect(p).toMatchObject({ kind: 'mtls', issuer: 'mtls:agents', certIdentityFrom: 'san-uri', algorithms: [] });
      const { snapshot } = await cp.snapshotInRedis(tenantId);
      expect(snapshot.identityProviders.find((i) => i.id === p.id)?.clientCa).toEqual({ caBundlePem: ca.certPem, identityFrom: 'san-uri', crlPem: null });
      const leaf = ca.issue({ commonName: 'not a ca' });
      const bad = await cp.graphql(CREATE, { input: { tenantId, name: 'bad', kind: 'mtls', caBundlePem: leaf.certPem, certIdentityFrom: 'subject-cn' } });
      expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'caBundlePem' });

      // A CRL of the tenant's CA is published with it; one from another CA, or junk, is refused.
      const crlPem = ca.crl([leaf]);
      await cp.ok(UPDATE, { input: { id: p.id, crlPem } });
      expect((await cp.snapshotInRedis(tenantId)).snapshot.identityProviders.find((i) => i.id === p.id)?.clientCa?.crlPem).toBe(crlPem);
      for (const wrong of [pki.createCa('Other CA').crl([]), 'not a crl']) {
        const refused = await cp.graphql(UPDATE, { input: { id: p.id, crlPem: wrong } });
        expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'crlPem' });
      }
      const onJwt = await cp.graphql(CREATE, { input: { tenantId, name: 'jwt-with-crl', issuer: 'https://crl.example', audiences: ['mcp'], algorithms: ['RS256'], jwksUri: 'https://idp.example.com/jwks', crlPem } });
      expect(onJwt.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'crlPem' });
    } finally {
      pki.cleanup();
    }
  });

  it('discovers an OAuth server\'s endpoints from RFC 8414 metadata, or from OIDC Discovery with the oidc-discovery profile', async () => {
    const as = await startTokenIssuer();
    try {
      as.metadataMode = 'rfc8414';
      const input = { tenantId, name: 'discovered', kind: 'oauth', issuer: as.issuer, algorithms: ['RS256'], clientId: as.clientId, clientSecret: as.clientSecret };
      const { createIdentityProvider: p } = await cp.ok<{ createIdentityProvider: Provider }>(CREATE, { input });
      expect(p).toMatchObject({ jwksUri: as.jwksUri, introspectionUrl: as.introspectionUrl });
      await cp.ok(DELETE, { id: p.id });

      // An IdP with only OIDC Discovery: the standard profile finds nothing and says so…
      as.metadataMode = 'oidc';
      const missing = await cp.graphql(CREATE, { input });
      expect(missing.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'issuer' });
      expect(missing.errors?.[0]?.message).toContain('oauth-authorization-server');
      // …and the oidc-discovery profile finds the endpoints there.
      const { createIdentityProvider: oidc } = await cp.ok<{ createIdentityProvider: Provider }>(CREATE, { input: { ...input, profile: 'oidc-discovery' } });
      expect(oidc).toMatchObject({ profile: 'oidc-discovery', jwksUri: as.jwksUri, introspectionUrl: as.introspectionUrl });
      await cp.ok(DELETE, { id: oidc.id });

      // Metadata that names another issuer is refused (RFC 8414 §3.3).
      const other = await cp.graphql(CREATE, { input: { ...input, issuer: `${as.issuer}/`, profile: 'oidc-discovery' } });
      expect(other.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'issuer' });
    } finally {
      await as.close();
    }
  });

  it('refuses http:// IdP URLs unless MCPG_ALLOW_LOOPBACK_IDP_URLS is on, also for discovered ones', async () => {
    const strict = await cp.startApp({ allowLoopbackIdpUrls: false });
    const as = await startTokenIssuer();
    try {
      const jwks = await cp.graphql(CREATE, { input: { tenantId, name: 'loop', issuer: 'https://loop.example', audiences: ['mcp'], algorithms: ['RS256'], jwksUri: as.jwksUri } });
      expect(jwks.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'jwksUri' });
      const discovery = await cp.graphql(CREATE, { input: { tenantId, name: 'loop2', kind: 'oauth', issuer: as.issuer, algorithms: ['RS256'] } });
      expect(discovery.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'issuer' });
    } finally {
      await as.close();
      await cp.stopApp(strict);
    }
  });
});

function rsaPublicJwk(modulusLength: number): Record<string, unknown> {
  return generateKeyPairSync('rsa', { modulusLength }).publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
}
