import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneHarness } from '../testing/control-plane-harness.js';

type Role = 'viewer' | 'admin' | 'platform';
interface Target {
  tenantId: string;
  keyId: string;
  serverId: string;
  viewerTokenId: string;
  regionId: string;
  identityProviderId: string;
  denyRuleId: string;
  auditSinkId: string;
}
interface MutationCase {
  build(t: Target): { query: string; variables: Record<string, unknown> };
  /** Roles that may run it on their own tenant; the others get FORBIDDEN. */
  allowed: readonly Role[];
  /**
   * What an allowed role gets when the fixture cannot hold the object (a dead letter needs a failing
   * SIEM): NOT_FOUND from the service proves the guard let the call through. Default: data.
   */
  allowedAnswer?: 'NOT_FOUND';
}

const everyone: Role[] = ['admin', 'platform'];
const mutations: Record<string, MutationCase> = {
  createTenant: {
    build: () => ({ query: 'mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }', variables: { i: { slug: `t-${randomUUID().slice(0, 8)}`, name: 'New' } } }),
    allowed: ['platform'],
  },
  suspendTenant: { build: (t) => ({ query: 'mutation($id: ID!) { suspendTenant(id: $id) { id } }', variables: { id: t.tenantId } }), allowed: ['platform'] },
  resumeTenant: { build: (t) => ({ query: 'mutation($id: ID!) { resumeTenant(id: $id) { id } }', variables: { id: t.tenantId } }), allowed: ['platform'] },
  deleteTenant: { build: (t) => ({ query: 'mutation($id: ID!) { deleteTenant(id: $id) { id } }', variables: { id: t.tenantId } }), allowed: ['platform'] },
  createApiKey: {
    build: (t) => ({ query: 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }', variables: { i: { tenantId: t.tenantId, name: 'k' } } }),
    allowed: everyone,
  },
  revokeApiKey: { build: (t) => ({ query: 'mutation($id: ID!) { revokeApiKey(id: $id) { id } }', variables: { id: t.keyId } }), allowed: everyone },
  rotateApiKey: {
    build: (t) => ({
      query: 'mutation($i: RotateApiKeyInput!) { rotateApiKey(input: $i) { newKey { secret } } }',
      variables: { i: { id: t.keyId, oldKeyExpiresAt: new Date(Date.now() + 3_600_000).toISOString() } },
    }),
    allowed: everyone,
  },
  setScopeToolRule: {
    build: (t) => ({
      query: 'mutation($i: SetScopeToolRuleInput!) { setScopeToolRule(input: $i) { id } }',
      variables: { i: { tenantId: t.tenantId, scope: 'tools:read', toolGlobs: ['echo'] } },
    }),
    allowed: everyone,
  },
  setSubjectToolRule: {
    build: (t) => ({
      query: 'mutation($i: SetSubjectToolRuleInput!) { setSubjectToolRule(input: $i) { id } }',
      variables: { i: { tenantId: t.tenantId, subject: 'alice@example.com', toolGlobs: ['echo'] } },
    }),
    allowed: everyone,
  },
  setTenantLimits: {
    build: (t) => ({
      query: 'mutation($i: SetTenantLimitsInput!) { setTenantLimits(input: $i) { id } }',
      variables: { i: { tenantId: t.tenantId, limits: { maxJsonDepth: 16 } } },
    }),
    allowed: everyone,
  },
  setAllowedOrigins: {
    build: (t) => ({
      query: 'mutation($i: SetAllowedOriginsInput!) { setAllowedOrigins(input: $i) { id } }',
      variables: { i: { tenantId: t.tenantId, origins: ['https://app.example.com'] } },
    }),
    allowed: everyone,
  },
  setRedactionSettings: {
    build: (t) => ({
      query: 'mutation($i: SetRedactionSettingsInput!) { setRedactionSettings(input: $i) { redactResponses auditToolResults auditToolResultMaxBytes } }',
      variables: {
        i: { tenantId: t.tenantId, redactResponses: true, argumentValues: 'hash', customPatterns: [{ name: 'emp', pattern: 'EMP-[0-9]{6}' }], auditToolResults: 'ON', auditToolResultMaxBytes: 4096 },
      },
    }),
    allowed: everyone,
  },
  createAuditSink: {
    build: (t) => ({
      query: 'mutation($i: CreateAuditSinkInput!) { createAuditSink(input: $i) { id } }',
      variables: { i: { tenantId: t.tenantId, name: `s-${randomUUID().slice(0, 8)}`, kind: 'splunk_hec', url: 'https://splunk.example.com:8088', secret: 'hec-token-value' } },
    }),
    allowed: everyone,
  },
  updateAuditSink: {
    build: (t) => ({ query: 'mutation($i: UpdateAuditSinkInput!) { updateAuditSink(input: $i) { id } }', variables: { i: { id: t.auditSinkId, url: 'https://siem2.example.com/hook' } } }),
    allowed: everyone,
  },
  deleteAuditSink: { build: (t) => ({ query: 'mutation($id: ID!) { deleteAuditSink(id: $id) { id } }', variables: { id: t.auditSinkId } }), allowed: everyone },
  replayAllAuditDeadLetters: { build: () => ({ query: 'mutation { replayAllAuditDeadLetters }', variables: {} }), allowed: ['platform'] },
  replayAuditDeadLetter: {
    build: () => ({ query: 'mutation($id: ID!) { replayAuditDeadLetter(id: $id) { id } }', variables: { id: 'no-such-job' } }),
    allowed: ['platform'],
    allowedAnswer: 'NOT_FOUND',
  },
  replayTenantAuditDeadLetter: {
    build: (t) => ({ query: 'mutation($t: ID!, $id: ID!) { replayTenantAuditDeadLetter(tenantId: $t, id: $id) { id } }', variables: { t: t.tenantId, id: 'tenant-sink:x/no-such-job' } }),
    allowed: everyone,
    allowedAnswer: 'NOT_FOUND',
  },
  replayAllTenantAuditDeadLetters: {
    build: (t) => ({ query: 'mutation($t: ID!) { replayAllTenantAuditDeadLetters(tenantId: $t) }', variables: { t: t.tenantId } }),
    allowed: everyone,
  },
  createIdentityProvider: {
    build: (t) => ({
      query: 'mutation($i: CreateIdentityProviderInput!) { createIdentityProvider(input: $i) { id } }',
      variables: { i: { tenantId: t.tenantId, name: `idp-${randomUUID().slice(0, 8)}`, issuer: `https://idp-${randomUUID().slice(0, 8)}.example.com`, audiences: ['mcp'], algorithms: ['RS256'], jwksUri: 'https://idp.example.com/jwks' } },
    }),
    allowed: everyone,
  },
  updateIdentityProvider: {
    build: (t) => ({ query: 'mutation($i: UpdateIdentityProviderInput!) { updateIdentityProvider(input: $i) { id } }', variables: { i: { id: t.identityProviderId, clockSkewSeconds: 30 } } }),
    allowed: everyone,
  },
  deleteIdentityProvider: {
    build: (t) => ({ query: 'mutation($id: ID!) { deleteIdentityProvider(id: $id) { id } }', variables: { id: t.identityProviderId } }),
    allowed: everyone,
  },
  addUpstreamServer: {
    build: (t) => ({
      query: 'mutation($i: AddUpstreamServerInput!) { addUpstreamServer(input: $i) { id } }',
      variables: { i: { tenantId: t.tenantId, name: 'second', url: 'http://127.0.0.1:9/mcp' } },
    }),
    allowed: everyone,
  },
  removeUpstreamServer: { build: (t) => ({ query: 'mutation($id: ID!) { removeUpstreamServer(id: $id) { id } }', variables: { id: t.serverId } }), allowed: everyone },
  setUpstreamServerCredential: {
    build: (t) => ({
      query: 'mutation($i: SetUpstreamServerCredentialInput!) { setUpstreamServerCredential(input: $i) { id hasCredential } }',
      variables: { i: { serverId: t.serverId, credential: { kind: 'BEARER', value: 'upstream-secret' } } },
    }),
    allowed: everyone,
  },
  setToolRule: {
    build: (t) => ({ query: 'mutation($i: SetToolRuleInput!) { setToolRule(input: $i) { id } }', variables: { i: { apiKeyId: t.keyId, toolGlobs: ['echo'] } } }),
    allowed: everyone,
  },
  createAdminToken: {
    build: (t) => ({
      query: 'mutation($i: CreateAdminTokenInput!) { createAdminToken(input: $i) { secret } }',
      variables: { i: { name: 'helper', role: 'TENANT_VIEWER', tenantId: t.tenantId } },
    }),
    allowed: everyone,
  },
  addDenyRule: {
    build: (t) => ({ query: 'mutation($i: AddDenyRuleInput!) { addDenyRule(input: $i) { id } }', variables: { i: { tenantId: t.tenantId, name: 'x', toolGlobs: ['x'] } } }),
    allowed: everyone,
  },
  removeDenyRule: { build: (t) => ({ query: 'mutation($id: ID!) { removeDenyRule(id: $id) { id } }', variables: { id: t.denyRuleId } }), allowed: everyone },
  rollbackTenant: {
    build: (t) => ({ query: 'mutation($i: RollbackTenantInput!) { rollbackTenant(input: $i) { version } }', variables: { i: { tenantId: t.tenantId, toVersion: 1 } } }),
    allowed: everyone,
  },
  createRegion: {
    build: () => ({
      query: 'mutation($i: CreateRegionInput!) { createRegion(input: $i) { id } }',
      variables: { i: { name: `r-${randomUUID().slice(0, 8)}`, redisUrl: 'redis://127.0.0.1:6379/3', redisKeyPrefix: `test:roles:${randomUUID().slice(0, 8)}:` } },
    }),
    allowed: ['platform'],
  },
  deleteRegion: { build: (t) => ({ query: 'mutation($id: ID!) { deleteRegion(id: $id) { id } }', variables: { id: t.regionId } }), allowed: ['platform'] },
  setTenantRegions: {
    build: (t) => ({ query: 'mutation($i: SetTenantRegionsInput!) { setTenantRegions(input: $i) { id } }', variables: { i: { tenantId: t.tenantId, regionIds: [] } } }),
    allowed: ['platform'],
  },
  revokeAdminToken: { build: (t) => ({ query: 'mutation($id: ID!) { revokeAdminToken(id: $id) { id } }', variables: { id: t.viewerTokenId } }), allowed: everyone },
};

describe('admin roles', () => {
  let cp: ControlPlaneHarness;
  beforeAll(async () => {
    cp = await ControlPlaneHarness.start('cp_admin_roles');
  });
  afterAll(() => cp?.close());

  /** A fresh tenant with a key, a server and tokens, so each case starts from the same state. */
  async function freshTarget(): Promise<{ target: Target; tokens: Record<Role, string> }> {
    const tenant = await cp.createTenant();
    const key = await cp.createApiKey(tenant.id);
    const { addUpstreamServer } = await cp.ok<{ addUpstreamServer: { id: string } }>(
      'mutation($i: AddUpstreamServerInput!) { addUpstreamServer(input: $i) { id } }',
      { i: { tenantId: tenant.id, name: 'files', url: 'http://127.0.0.1:9/mcp' } },
    );
    const viewer = await cp.createAdminToken('TENANT_VIEWER', tenant.id);
    const admin = await cp.createAdminToken('TENANT_ADMIN', tenant.id);
    const platform = await cp.createAdminToken('PLATFORM_ADMIN');
    const { createRegion } = await cp.ok<{ createRegion: { id: string } }>('mutation($i: CreateRegionInput!) { createRegion(input: $i) { id } }', {
      i: { name: `r-${randomUUID().slice(0, 8)}`, redisUrl: 'redis://127.0.0.1:6379/3', redisKeyPrefix: `test:roles:${randomUUID().slice(0, 8)}:` },
    });
    const { createIdentityProvider } = await cp.ok<{ createIdentityProvider: { id: string } }>(
      'mutation($i: CreateIdentityProviderInput!) { createIdentityProvider(input: $i) { id } }',
      { i: { tenantId: tenant.id, name: 'corp', issuer: 'https://idp.example.com', audiences: ['mcp'], algorithms: ['RS256'], jwksUri: 'https://idp.example.com/jwks' } },
    );
    const { addDenyRule } = await cp.ok<{ addDenyRule: { id: string } }>(
      'mutation($i: AddDenyRuleInput!) { addDenyRule(input: $i) { id } }',
      { i: { tenantId: tenant.id, name: 'no deletes', toolGlobs: ['delete_*'] } },
    );
    const { createAuditSink } = await cp.ok<{ createAuditSink: { id: string } }>(
      'mutation($i: CreateAuditSinkInput!) { createAuditSink(input: $i) { id } }',
      { i: { tenantId: tenant.id, name: 'soc', kind: 'webhook', url: 'https://siem.example.com/hook', secret: 'a-webhook-secret-0123456789' } },
    );
    return {
      target: {
        denyRuleId: addDenyRule.id,
        tenantId: tenant.id,
        keyId: key.id,
        serverId: addUpstreamServer.id,
        viewerTokenId: viewer.id,
        regionId: createRegion.id,
        identityProviderId: createIdentityProvider.id,
        auditSinkId: createAuditSink.id,
      },
      tokens: { viewer: viewer.secret, admin: admin.secret, platform: platform.secret },
    };
  }

  for (const [name, mutation] of Object.entries(mutations)) {
    for (const role of ['viewer', 'admin', 'platform'] as const) {
      const isAllowed = mutation.allowed.includes(role);
      it(`${isAllowed ? 'lets' : 'refuses'} a tenant ${role} ${name} on its own tenant${isAllowed ? '' : ' with FORBIDDEN, publishing nothing'}`, async () => {
        const { target, tokens } = await freshTarget();
        const versionBefore = await cp.manifestVersion(target.tenantId);
        const { query, variables } = mutation.build(target);
        const result = await cp.graphql(query, variables, tokens[role]);
        if (isAllowed && mutation.allowedAnswer) {
          expect(result.errors?.[0]?.extensions?.code).toBe(mutation.allowedAnswer);
        } else if (isAllowed) {
          expect(result.errors).toBeUndefined();
          expect(result.data?.[name] ?? null).not.toBeNull(); // 0 is a real answer (replayAllAuditDeadLetters)
        } else {
          expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
          expect(result.data ?? null).toBeNull();
          expect(await cp.manifestVersion(target.tenantId)).toBe(versionBefore);
          expect(await cp.prisma.tenant.count({ where: { id: target.tenantId, suspendedAt: null } })).toBe(1);
        }
      });
    }
  }

  it('has a role row for every mutation in the schema', async () => {
    const app = await cp.startApp({ isPlaygroundEnabled: true });
    try {
      const { __schema } = await cp.ok<{ __schema: { mutationType: { fields: Array<{ name: string }> } } }>('{ __schema { mutationType { fields { name } } } }');
      // `logout` acts on the caller's own session only (admin-oidc/oidc-login.spec.ts).
      expect(__schema.mutationType.fields.map((m) => m.name).filter((m) => !(m in mutations) && m !== 'logout')).toEqual([]);
    } finally {
      await cp.stopApp(app);
    }
  });

  it('lets a tenant admin issue only tokens for its own tenant, never a platform token', async () => {
    const { target, tokens } = await freshTarget();
    const platform = await cp.graphql(
      'mutation($i: CreateAdminTokenInput!) { createAdminToken(input: $i) { secret } }',
      { i: { name: 'escalate', role: 'PLATFORM_ADMIN' } },
      tokens.admin,
    );
    expect(platform.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const own = await cp.ok<{ createAdminToken: { secret: string; adminToken: { role: string; tenantId: string; createdBy: string } } }>(
      'mutation($i: CreateAdminTokenInput!) { createAdminToken(input: $i) { secret adminToken { role tenantId createdBy } } }',
      { i: { name: 'deputy', role: 'TENANT_ADMIN', tenantId: target.tenantId } },
      tokens.admin,
    );
    expect(own.createAdminToken.adminToken).toMatchObject({ role: 'TENANT_ADMIN', tenantId: target.tenantId, createdBy: expect.stringMatching(/^admin-token:/) });
    expect(own.createAdminToken.secret).toMatch(/^mcpga_[A-Za-z0-9_-]{43}$/);
  });

  it('stores only the hash of an admin token and shows its secret once', async () => {
    const { secret, id } = await cp.createAdminToken('PLATFORM_ADMIN');
    const row = await cp.prisma.adminToken.findUniqueOrThrow({ where: { id } });
    expect(JSON.stringify(row)).not.toContain(secret.slice(6));
    const listing = await cp.ok('{ adminTokens { nodes { id prefix role } } }');
    expect(JSON.stringify(listing)).not.toContain(secret.slice(6));
    const hash = await cp.graphql('{ adminTokens { nodes { hash } } }');
    expect(hash.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses a revoked token and an expired token with 401', async () => {
    const { id, secret } = await cp.createAdminToken('PLATFORM_ADMIN');
    expect((await cp.graphql('{ me { subject } }', {}, secret)).status).toBe(200);
    await cp.ok('mutation($id: ID!) { revokeAdminToken(id: $id) { revokedAt } }', { id });
    const revoked = await cp.graphql('{ me { subject } }', {}, secret);
    expect(revoked.status).toBe(401);
    expect(revoked.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const soon = await cp.ok<{ createAdminToken: { adminToken: { id: string }; secret: string } }>(
      'mutation($i: CreateAdminTokenInput!) { createAdminToken(input: $i) { secret adminToken { id } } }',
      { i: { name: 'short-lived', role: 'PLATFORM_ADMIN', expiresAt: new Date(Date.now() + 60_000).toISOString() } },
    );
    expect((await cp.graphql('{ me { subject } }', {}, soon.createAdminToken.secret)).status).toBe(200);
    await cp.prisma.adminToken.update({ where: { id: soon.createAdminToken.adminToken.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await cp.graphql('{ me { subject } }', {}, soon.createAdminToken.secret)).status).toBe(401);

    const past = await cp.graphql('mutation($i: CreateAdminTokenInput!) { createAdminToken(input: $i) { secret } }', {
      i: { name: 'expired', role: 'PLATFORM_ADMIN', expiresAt: new Date(Date.now() - 1000).toISOString() },
    });
    expect(past.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'expiresAt' });
  });

  it('turns the bootstrap token off when MCPG_ADMIN_TOKEN is unset, while admin tokens keep working', async () => {
    const { secret } = await cp.createAdminToken('PLATFORM_ADMIN');
    const app = await cp.startApp({ adminToken: undefined });
    try {
      expect((await cp.graphql('{ me { subject } }', {}, cp.config.adminToken ?? null)).status).toBe(401);
      const me = await cp.ok<{ me: { via: string; isPlatformAdmin: boolean } }>('{ me { via isPlatformAdmin } }', {}, secret);
      expect(me.me).toEqual({ via: 'admin-token', isPlatformAdmin: true });
    } finally {
      await cp.stopApp(app);
    }
  });
});
