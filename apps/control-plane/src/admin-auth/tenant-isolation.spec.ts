import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneHarness } from '../testing/control-plane-harness.js';

/**
 * The tenant-isolation matrix (issue 6): a tenant admin and a tenant viewer of tenant A try
 * every query and mutation against tenant B's objects — by id, by slug, through lists and
 * nested fields — and every attempt is answered NOT_FOUND, exactly as if B did not exist, with
 * nothing changed. Adding a root field to the schema without a row here fails the last test.
 */
interface TenantFixture {
  id: string;
  slug: string;
  keyId: string;
  serverId: string;
  tokenId: string;
  identityProviderId: string;
  denyRuleId: string;
  auditSinkId: string;
}
interface Fixture {
  a: TenantFixture;
  b: TenantFixture;
  platformTokenId: string;
}

type Attempt = (f: Fixture) => { query: string; variables: Record<string, unknown> };

/** One row per root field that can name a tenant's object; lists are checked separately below. */
const attemptsOnB: Record<string, Attempt> = {
  tenant: (f) => ({ query: 'query($id: ID!) { tenant(id: $id) { id name } }', variables: { id: f.b.id } }),
  tenantBySlug: (f) => ({ query: 'query($s: String!) { tenantBySlug(slug: $s) { id } }', variables: { s: f.b.slug } }),
  apiKeys: (f) => ({ query: 'query($t: ID!) { apiKeys(tenantId: $t) { nodes { id } } }', variables: { t: f.b.id } }),
  servers: (f) => ({ query: 'query($t: ID!) { servers(tenantId: $t) { nodes { id } } }', variables: { t: f.b.id } }),
  snapshots: (f) => ({ query: 'query($t: ID!) { snapshots(tenantId: $t) { nodes { version } } }', variables: { t: f.b.id } }),
  adminTokens: (f) => ({ query: 'query($t: ID) { adminTokens(tenantId: $t) { nodes { id } } }', variables: { t: f.b.id } }),
  createApiKey: (f) => ({
    query: 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }',
    variables: { i: { tenantId: f.b.id, name: 'stolen' } },
  }),
  revokeApiKey: (f) => ({ query: 'mutation($id: ID!) { revokeApiKey(id: $id) { id } }', variables: { id: f.b.keyId } }),
  rotateApiKey: (f) => ({
    query: 'mutation($i: RotateApiKeyInput!) { rotateApiKey(input: $i) { newKey { secret } } }',
    variables: { i: { id: f.b.keyId, oldKeyExpiresAt: new Date(Date.now() + 3_600_000).toISOString() } },
  }),
  setScopeToolRule: (f) => ({
    query: 'mutation($i: SetScopeToolRuleInput!) { setScopeToolRule(input: $i) { id } }',
    variables: { i: { tenantId: f.b.id, scope: 'admin', toolGlobs: ['*'] } },
  }),
  setSubjectToolRule: (f) => ({
    query: 'mutation($i: SetSubjectToolRuleInput!) { setSubjectToolRule(input: $i) { id } }',
    variables: { i: { tenantId: f.b.id, subject: 'attacker', toolGlobs: ['*'] } },
  }),
  setTenantLimits: (f) => ({
    query: 'mutation($i: SetTenantLimitsInput!) { setTenantLimits(input: $i) { id } }',
    variables: { i: { tenantId: f.b.id, limits: { maxBodyBytes: 1 } } },
  }),
  setAllowedOrigins: (f) => ({
    query: 'mutation($i: SetAllowedOriginsInput!) { setAllowedOrigins(input: $i) { id } }',
    variables: { i: { tenantId: f.b.id, origins: ['https://evil.example'] } },
  }),
  redactionSettings: (f) => ({ query: 'query($t: ID!) { redactionSettings(tenantId: $t) { redactResponses auditToolResults } }', variables: { t: f.b.id } }),
  setRedactionSettings: (f) => ({
    // Turning tool results on for another tenant would copy its tools' output into events.
    query: 'mutation($i: SetRedactionSettingsInput!) { setRedactionSettings(input: $i) { redactResponses auditToolResults } }',
    variables: { i: { tenantId: f.b.id, redactResponses: false, argumentValues: 'redact', customPatterns: [], auditToolResults: 'ON' } },
  }),
  identityProviders: (f) => ({ query: 'query($t: ID!) { identityProviders(tenantId: $t) { nodes { id } } }', variables: { t: f.b.id } }),
  createIdentityProvider: (f) => ({
    query: 'mutation($i: CreateIdentityProviderInput!) { createIdentityProvider(input: $i) { id } }',
    variables: { i: { tenantId: f.b.id, name: 'evil', issuer: 'https://evil.example', audiences: ['mcp'], algorithms: ['RS256'], jwksUri: 'https://evil.example/jwks' } },
  }),
  updateIdentityProvider: (f) => ({
    query: 'mutation($i: UpdateIdentityProviderInput!) { updateIdentityProvider(input: $i) { id } }',
    variables: { i: { id: f.b.identityProviderId, jwksUri: 'https://evil.example/jwks' } },
  }),
  addDenyRule: (f) => ({
    query: 'mutation($i: AddDenyRuleInput!) { addDenyRule(input: $i) { id } }',
    variables: { i: { tenantId: f.b.id, name: 'sabotage', toolGlobs: ['*'] } },
  }),
  removeDenyRule: (f) => ({ query: 'mutation($id: ID!) { removeDenyRule(id: $id) { id } }', variables: { id: f.b.denyRuleId } }),
  denyRules: (f) => ({ query: 'query($t: ID!) { denyRules(tenantId: $t) { nodes { id } } }', variables: { t: f.b.id } }),
  deleteIdentityProvider: (f) => ({ query: 'mutation($id: ID!) { deleteIdentityProvider(id: $id) { id } }', variables: { id: f.b.identityProviderId } }),
  tenantAuditDeadLetters: (f) => ({ query: 'query($t: ID!) { tenantAuditDeadLetters(tenantId: $t) { totalCount nodes { id } } }', variables: { t: f.b.id } }),
  replayTenantAuditDeadLetter: (f) => ({
    query: 'mutation($t: ID!, $id: ID!) { replayTenantAuditDeadLetter(tenantId: $t, id: $id) { id } }',
    variables: { t: f.b.id, id: `tenant-sink:${f.b.auditSinkId}/some-job` },
  }),
  replayAllTenantAuditDeadLetters: (f) => ({ query: 'mutation($t: ID!) { replayAllTenantAuditDeadLetters(tenantId: $t) }', variables: { t: f.b.id } }),
  auditSinks: (f) => ({ query: 'query($t: ID!) { auditSinks(tenantId: $t) { nodes { id } } }', variables: { t: f.b.id } }),
  createAuditSink: (f) => ({
    query: 'mutation($i: CreateAuditSinkInput!) { createAuditSink(input: $i) { id } }',
    variables: { i: { tenantId: f.b.id, name: 'evil', kind: 'webhook', url: 'https://evil.example/hook', secret: 'an-attackers-secret-0123' } },
  }),
  updateAuditSink: (f) => ({
    query: 'mutation($i: UpdateAuditSinkInput!) { updateAuditSink(input: $i) { id } }',
    variables: { i: { id: f.b.auditSinkId, url: 'https://evil.example/hook' } },
  }),
  deleteAuditSink: (f) => ({ query: 'mutation($id: ID!) { deleteAuditSink(id: $id) { id } }', variables: { id: f.b.auditSinkId } }),
  addUpstreamServer: (f) => ({
    query: 'mutation($i: AddUpstreamServerInput!) { addUpstreamServer(input: $i) { id } }',
    variables: { i: { tenantId: f.b.id, name: 'evil', url: 'https://evil.example/mcp' } },
  }),
  removeUpstreamServer: (f) => ({ query: 'mutation($id: ID!) { removeUpstreamServer(id: $id) { id } }', variables: { id: f.b.serverId } }),
  setUpstreamServerCredential: (f) => ({
    query: 'mutation($i: SetUpstreamServerCredentialInput!) { setUpstreamServerCredential(input: $i) { id } }',
    variables: { i: { serverId: f.b.serverId, credential: { kind: 'HEADER', headerName: 'X-API-Key', value: 'stolen' } } },
  }),
  setToolRule: (f) => ({
    query: 'mutation($i: SetToolRuleInput!) { setToolRule(input: $i) { id } }',
    variables: { i: { apiKeyId: f.b.keyId, toolGlobs: ['*'] } },
  }),
  suspendTenant: (f) => ({ query: 'mutation($id: ID!) { suspendTenant(id: $id) { id } }', variables: { id: f.b.id } }),
  resumeTenant: (f) => ({ query: 'mutation($id: ID!) { resumeTenant(id: $id) { id } }', variables: { id: f.b.id } }),
  deleteTenant: (f) => ({ query: 'mutation($id: ID!) { deleteTenant(id: $id) { id } }', variables: { id: f.b.id } }),
  createAdminToken: (f) => ({
    query: 'mutation($i: CreateAdminTokenInput!) { createAdminToken(input: $i) { secret } }',
    variables: { i: { name: 'stolen', role: 'TENANT_ADMIN', tenantId: f.b.id } },
  }),
  revokeAdminToken: (f) => ({ query: 'mutation($id: ID!) { revokeAdminToken(id: $id) { id } }', variables: { id: f.b.tokenId } }),
  snapshotDiff: (f) => ({
    query: 'query($t: ID!) { snapshotDiff(tenantId: $t, fromVersion: 1, toVersion: 2) { text } }',
    variables: { t: f.b.id },
  }),
  rollbackTenant: (f) => ({
    query: 'mutation($i: RollbackTenantInput!) { rollbackTenant(input: $i) { version } }',
    variables: { i: { tenantId: f.b.id, toVersion: 1 } },
  }),
  setTenantRegions: (f) => ({
    query: 'mutation($i: SetTenantRegionsInput!) { setTenantRegions(input: $i) { name } }',
    variables: { i: { tenantId: f.b.id, regionIds: [] } },
  }),
  rollout: (f) => ({ query: 'query($t: ID!) { rollout(tenantId: $t) { latestVersion } }', variables: { t: f.b.id } }),
  dryRunToolRule: (f) => ({
    query: 'query($i: SetToolRuleInput!) { dryRunToolRule(input: $i) { compiled } }',
    variables: { i: { apiKeyId: f.b.keyId, toolGlobs: ['*'] } },
  }),
};

/** Root fields that take no tenant and narrow their answer to what the caller may see. */
const callerScopedFields = new Set(['tenants', 'adminTokens', 'me', 'logout']);
/** Root fields only platform admins reach at all (FORBIDDEN for tenant roles; they name no tenant object). */
const platformFields = new Set(['createTenant', 'createRegion', 'deleteRegion', 'regions', 'proxies', 'auditDeadLetters', 'replayAuditDeadLetter', 'replayAllAuditDeadLetters']);

describe('tenant isolation', () => {
  let cp: ControlPlaneHarness;
  let f: Fixture;
  const tokens: Record<'admin' | 'viewer', string> = { admin: '', viewer: '' };

  async function makeTenant(slug: string) {
    const tenant = await cp.createTenant(slug);
    const key = await cp.createApiKey(tenant.id, `${slug} key`);
    const { addUpstreamServer } = await cp.ok<{ addUpstreamServer: { id: string } }>(
      'mutation($i: AddUpstreamServerInput!) { addUpstreamServer(input: $i) { id } }',
      { i: { tenantId: tenant.id, name: 'files', url: 'http://127.0.0.1:9/mcp' } },
    );
    await cp.ok('mutation($i: SetToolRuleInput!) { setToolRule(input: $i) { id } }', { i: { apiKeyId: key.id, toolGlobs: ['read_*'] } });
    const token = await cp.createAdminToken('TENANT_VIEWER', tenant.id);
    const { createIdentityProvider } = await cp.ok<{ createIdentityProvider: { id: string } }>(
      'mutation($i: CreateIdentityProviderInput!) { createIdentityProvider(input: $i) { id } }',
      { i: { tenantId: tenant.id, name: 'corp', issuer: `https://${slug}.idp.example.com`, audiences: ['mcp'], algorithms: ['RS256'], jwksUri: 'https://idp.example.com/jwks' } },
    );
    const { addDenyRule } = await cp.ok<{ addDenyRule: { id: string } }>(
      'mutation($i: AddDenyRuleInput!) { addDenyRule(input: $i) { id } }',
      { i: { tenantId: tenant.id, name: 'no deletes', toolGlobs: ['delete_*'] } },
    );
    const { createAuditSink } = await cp.ok<{ createAuditSink: { id: string } }>(
      'mutation($i: CreateAuditSinkInput!) { createAuditSink(input: $i) { id } }',
      { i: { tenantId: tenant.id, name: 'soc', kind: 'webhook', url: 'https://siem.example.com/hook', secret: 'a-webhook-secret-0123456789' } },
    );
    return { id: tenant.id, slug, keyId: key.id, serverId: addUpstreamServer.id, tokenId: token.id, identityProviderId: createIdentityProvider.id, auditSinkId: createAuditSink.id, denyRuleId: addDenyRule.id };
  }

  /** Everything about B that an attempt could change. */
  async function stateOfB() {
    return {
      manifest: await cp.manifestVersion(f.b.id),
      tenant: await cp.prisma.tenant.findUnique({ where: { id: f.b.id } }),
      keys: await cp.prisma.apiKey.findMany({ where: { tenantId: f.b.id }, orderBy: { id: 'asc' } }),
      servers: await cp.prisma.upstreamServer.findMany({ where: { tenantId: f.b.id }, orderBy: { id: 'asc' } }),
      rules: await cp.prisma.toolRule.findMany({ where: { tenantId: f.b.id }, orderBy: { id: 'asc' } }),
      tokens: await cp.prisma.adminToken.findMany({ where: { tenantId: f.b.id }, orderBy: { id: 'asc' } }),
      identityProviders: await cp.prisma.identityProvider.findMany({ where: { tenantId: f.b.id }, orderBy: { id: 'asc' } }),
      denyRules: await cp.prisma.denyRule.findMany({ where: { tenantId: f.b.id }, orderBy: { id: 'asc' } }),
      auditSinks: await cp.prisma.auditSink.findMany({ where: { tenantId: f.b.id }, orderBy: { id: 'asc' } }),
    };
  }

  beforeAll(async () => {
    cp = await ControlPlaneHarness.start('cp_tenant_isolation');
    const a = await makeTenant('tenant-a');
    const b = await makeTenant('tenant-b');
    const platform = await cp.createAdminToken('PLATFORM_ADMIN');
    f = { a, b, platformTokenId: platform.id };
    tokens.admin = (await cp.createAdminToken('TENANT_ADMIN', a.id)).secret;
    tokens.viewer = (await cp.createAdminToken('TENANT_VIEWER', a.id)).secret;
  });
  afterAll(() => cp?.close());

  for (const role of ['admin', 'viewer'] as const) {
    for (const [field, attempt] of Object.entries(attemptsOnB)) {
      it(`answers tenant A's ${role} NOT_FOUND for ${field} on tenant B, changing nothing`, async () => {
        const before = await stateOfB();
        const { query, variables } = attempt(f);
        const result = await cp.graphql(query, variables, tokens[role]);
        expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
        expect(result.data ?? null).toBeNull();
        expect(JSON.stringify(result)).not.toContain(f.b.slug);
        expect(await stateOfB()).toEqual(before);
      });
    }

    it(`answers tenant A's ${role} exactly as for a tenant that does not exist`, async () => {
      const nobody = '00000000-0000-4000-8000-000000000000';
      const forB = await cp.graphql('query($id: ID!) { tenant(id: $id) { id } }', { id: f.b.id }, tokens[role]);
      const forNobody = await cp.graphql('query($id: ID!) { tenant(id: $id) { id } }', { id: nobody }, tokens[role]);
      expect(forB.errors).toEqual(forNobody.errors);
      const slugB = await cp.graphql('query($s: String!) { tenantBySlug(slug: $s) { id } }', { s: f.b.slug }, tokens[role]);
      const slugNobody = await cp.graphql('query($s: String!) { tenantBySlug(slug: $s) { id } }', { s: 'no-such-tenant' }, tokens[role]);
      expect(slugB.errors).toEqual(slugNobody.errors);
    });

    it(`shows tenant A's ${role} only tenant A in lists and nested fields`, async () => {
      type Page<T> = { nodes: T[]; totalCount: number };
      const data = await cp.ok<{
        tenants: Page<{ id: string; apiKeys: Page<{ id: string }>; servers: Page<{ id: string }> }>;
        adminTokens: Page<{ tenantId: string | null }>;
      }>(
        `{ tenants { totalCount nodes { id slug apiKeys { nodes { id tenantId } } servers { nodes { id tenantId } } snapshotVersion regions(first: 5) { nodes { name } } } }
           adminTokens { totalCount nodes { id tenantId } } me { isPlatformAdmin tenants { nodes { tenantId role } } } }`,
        {},
        tokens[role],
      );
      expect(data.tenants.nodes.map((t) => t.id)).toEqual([f.a.id]);
      expect(data.tenants.totalCount).toBe(1);
      expect(data.tenants.nodes[0]?.apiKeys.nodes.map((k) => k.id)).toEqual([f.a.keyId]);
      expect(data.tenants.nodes[0]?.servers.nodes.map((s) => s.id)).toEqual([f.a.serverId]);
      expect(new Set(data.adminTokens.nodes.map((t) => t.tenantId))).toEqual(new Set([f.a.id]));
      expect(data.adminTokens.totalCount).toBe(data.adminTokens.nodes.length);
      const text = JSON.stringify(data);
      for (const secretOfB of [f.b.id, f.b.slug, f.b.keyId, f.b.serverId, f.b.tokenId, f.platformTokenId]) expect(text).not.toContain(secretOfB);
    });

    it(`answers tenant A's ${role} NOT_FOUND for the platform admin's token`, async () => {
      const result = await cp.graphql('mutation($id: ID!) { revokeAdminToken(id: $id) { id } }', { id: f.platformTokenId }, tokens[role]);
      expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect((await cp.prisma.adminToken.findUniqueOrThrow({ where: { id: f.platformTokenId } })).revokedAt).toBeNull();
    });
  }

  it('refuses tenant roles the platform-only operations with FORBIDDEN', async () => {
    for (const role of ['admin', 'viewer'] as const) {
      const result = await cp.graphql('mutation { createTenant(input: { slug: "sneaky", name: "x" }) { id } }', {}, tokens[role]);
      expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect(await cp.prisma.tenant.count({ where: { slug: 'sneaky' } })).toBe(0);
    for (const query of ['{ regions { nodes { id } } }', '{ proxies { nodes { proxyId } } }']) {
      for (const role of ['admin', 'viewer'] as const) {
        expect((await cp.graphql(query, {}, tokens[role])).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      }
    }
  });

  it('has an isolation row for every root field that names a tenant object', async () => {
    const app = await cp.startApp({ isPlaygroundEnabled: true });
    try {
      const { __schema } = await cp.ok<{ __schema: { queryType: { fields: Array<{ name: string }> }; mutationType: { fields: Array<{ name: string }> } } }>(
        '{ __schema { queryType { fields { name } } mutationType { fields { name } } } }',
      );
      const rootFields = [...__schema.queryType.fields, ...__schema.mutationType.fields].map((field) => field.name);
      const uncovered = rootFields.filter((name) => !(name in attemptsOnB) && !callerScopedFields.has(name) && !platformFields.has(name));
      expect(uncovered).toEqual([]);
    } finally {
      await cp.stopApp(app);
    }
  });
});
