import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneHarness } from '../testing/control-plane-harness.js';

const CREATE = 'mutation($input: CreateTenantInput!) { createTenant(input: $input) { id slug name createdAt } }';

describe('tenants', () => {
  let cp: ControlPlaneHarness;
  beforeAll(async () => {
    cp = await ControlPlaneHarness.start('cp_tenants');
  });
  afterAll(() => cp?.close());

  it('creates a tenant and publishes its snapshot as version 1, signed and verifiable', async () => {
    const { createTenant } = await cp.ok<{ createTenant: { id: string; slug: string; name: string } }>(CREATE, {
      input: { slug: 'acme', name: 'Acme Corp' },
    });
    expect(createTenant).toMatchObject({ slug: 'acme', name: 'Acme Corp' });

    const { snapshot } = await cp.snapshotInRedis(createTenant.id);
    expect(snapshot).toMatchObject({ tenantId: createTenant.id, tenantSlug: 'acme', version: 1, servers: [], apiKeys: [], rules: [] });
    expect(await cp.manifestVersion(createTenant.id)).toBe(1);

    const { tenant } = await cp.ok<{ tenant: unknown }>(
      'query($id: ID!) { tenant(id: $id) { id slug snapshotVersion apiKeys { nodes { id } } servers { nodes { id } } } }',
      { id: createTenant.id },
    );
    expect(tenant).toEqual({ id: createTenant.id, slug: 'acme', snapshotVersion: 1, apiKeys: { nodes: [] }, servers: { nodes: [] } });
  });

  it('lists tenants in creation order', async () => {
    await cp.createTenant('beta');
    const { tenants } = await cp.ok<{ tenants: { nodes: Array<{ slug: string }> } }>('{ tenants { nodes { slug } } }');
    expect(tenants.nodes.map((t) => t.slug)).toEqual(['acme', 'beta']);
  });

  it('rejects a duplicate slug with CONFLICT naming the slug, and publishes nothing', async () => {
    const manifestBefore = await cp.redis.hgetall(cp.names.manifestKey);
    const result = await cp.graphql(CREATE, { input: { slug: 'acme', name: 'Another Acme' } });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'slug' });
    expect(await cp.prisma.tenant.count({ where: { slug: 'acme' } })).toBe(1);
    expect(await cp.redis.hgetall(cp.names.manifestKey)).toEqual(manifestBefore);
  });

  it.each([
    ['slug', { slug: 'Acme', name: 'x' }],
    ['slug', { slug: '-acme', name: 'x' }],
    ['slug', { slug: 'a', name: 'x' }],
    ['slug', { slug: 'a'.repeat(64), name: 'x' }],
    ['slug', { slug: 'ac/me', name: 'x' }],
    ['name', { slug: 'valid-slug', name: '   ' }],
    ['name', { slug: 'valid-slug', name: 'n'.repeat(101) }],
  ])('rejects an invalid %s with BAD_USER_INPUT naming it (%j)', async (field, input) => {
    const result = await cp.graphql(CREATE, { input });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await cp.prisma.tenant.count({ where: { slug: 'valid-slug' } })).toBe(0);
  });

  it('answers an unknown tenant id with NOT_FOUND and a malformed one with BAD_USER_INPUT', async () => {
    const unknown = await cp.graphql('query($id: ID!) { tenant(id: $id) { id } }', { id: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
    const malformed = await cp.graphql('query($id: ID!) { tenant(id: $id) { id } }', { id: 'acme' });
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });

  it('suspends a tenant: tombstoned in Redis, changes stored but unpublished; resume publishes the latest', async () => {
    const tenant = await cp.createTenant('pausable');
    const subscription = await cp.subscribe();
    try {
      const { suspendTenant } = await cp.ok<{ suspendTenant: { suspendedAt: string } }>('mutation($id: ID!) { suspendTenant(id: $id) { suspendedAt } }', { id: tenant.id });
      expect(Date.parse(suspendTenant.suspendedAt)).not.toBeNaN();
      await expect.poll(() => subscription.messages).toContainEqual({ tenantId: tenant.id, deleted: true });
      expect(await cp.redis.exists(cp.names.snapshotKey(tenant.id))).toBe(0);
      expect(await cp.manifestVersion(tenant.id)).toBe(0);

      await cp.createApiKey(tenant.id, 'while suspended');
      expect(await cp.manifestVersion(tenant.id)).toBe(0);

      await cp.ok('mutation($id: ID!) { resumeTenant(id: $id) { id } }', { id: tenant.id });
      expect(await cp.manifestVersion(tenant.id)).toBe(2);
      expect((await cp.snapshotInRedis(tenant.id)).snapshot.apiKeys.map((k) => k.name)).toEqual(['while suspended']);
    } finally {
      subscription.close();
    }
  });

  it('deletes a tenant with everything it owns and tombstones it in Redis', async () => {
    const tenant = await cp.createTenant('doomed');
    await cp.createApiKey(tenant.id);
    await cp.createAdminToken('TENANT_ADMIN', tenant.id);
    await cp.ok('mutation($id: ID!) { deleteTenant(id: $id) { id } }', { id: tenant.id });
    expect(await cp.prisma.tenant.count({ where: { id: tenant.id } })).toBe(0);
    expect(await cp.prisma.apiKey.count({ where: { tenantId: tenant.id } })).toBe(0);
    expect(await cp.prisma.adminToken.count({ where: { tenantId: tenant.id } })).toBe(0);
    expect(await cp.prisma.snapshot.count({ where: { tenantId: tenant.id } })).toBe(0);
    expect(await cp.manifestVersion(tenant.id)).toBe(0);
    const again = await cp.graphql('mutation($id: ID!) { deleteTenant(id: $id) { id } }', { id: tenant.id });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
  });
  it('sets per-tenant limits and allowed origins, publishes them, and rejects invalid values', async () => {
    const tenantId = (await cp.createTenant('limited')).id;
    const LIMITS = 'mutation($input: SetTenantLimitsInput!) { setTenantLimits(input: $input) { limits { maxJsonDepth maxBodyBytes sseIdleTimeoutMs } } }';
    const { setTenantLimits } = await cp.ok<{ setTenantLimits: unknown }>(LIMITS, {
      input: { tenantId, limits: { maxJsonDepth: 8, maxBodyBytes: 2048, sseIdleTimeoutMs: null } },
    });
    expect(setTenantLimits).toEqual({ limits: { maxJsonDepth: 8, maxBodyBytes: 2048, sseIdleTimeoutMs: null } });
    const ORIGINS = 'mutation($input: SetAllowedOriginsInput!) { setAllowedOrigins(input: $input) { allowedOrigins } }';
    await cp.ok(ORIGINS, { input: { tenantId, origins: ['https://app.example.com', 'http://localhost:5173'] } });
    const { snapshot } = await cp.snapshotInRedis(tenantId);
    expect(snapshot.limits).toMatchObject({ maxJsonDepth: 8, maxBodyBytes: 2048 });
    expect(snapshot.limits).not.toHaveProperty('sseIdleTimeoutMs');
    expect(snapshot.allowedOrigins).toEqual(['http://localhost:5173', 'https://app.example.com']);

    for (const [query, input] of [
      [LIMITS, { tenantId, limits: { maxJsonDepth: -1 } }],
      [LIMITS, { tenantId, limits: { maxHeaderBytes: 10_000_000 } }],
      [ORIGINS, { tenantId, origins: ['https://app.example.com/'] }],
      [ORIGINS, { tenantId, origins: ['javascript:alert(1)'] }],
    ] as const) {
      const result = await cp.graphql(query, { input });
      expect(result.errors?.[0]?.extensions, JSON.stringify(input)).toMatchObject({ code: 'BAD_USER_INPUT' });
    }
  });
});
