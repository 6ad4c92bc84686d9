import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneHarness } from '../testing/control-plane-harness.js';

describe('admin API authentication', () => {
  let cp: ControlPlaneHarness;
  beforeAll(async () => {
    cp = await ControlPlaneHarness.start('cp_admin_auth');
  });
  afterAll(() => cp?.close());

  const listTenants = '{ tenants { nodes { id } } }';
  const createTenant = 'mutation { createTenant(input: { slug: "acme", name: "Acme" }) { id } }';

  it('answers a query without a token with 401 and UNAUTHENTICATED, and no data', async () => {
    const result = await cp.graphql(listTenants, {}, null);
    expect(result.status).toBe(401);
    expect(result.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a wrong token, and a mutation with it changes nothing', async () => {
    const wrong = await cp.graphql(createTenant, {}, `${cp.config.adminToken}x`);
    expect(wrong.status).toBe(401);
    expect(wrong.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await cp.prisma.tenant.count()).toBe(0);
    expect(await cp.redis.hlen(cp.names.manifestKey)).toBe(0);
  });

  it('refuses introspection without a token', async () => {
    const result = await cp.graphql('{ __schema { queryType { name } } }', {}, null);
    expect(result.status).toBe(401);
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('serves the request with the admin token', async () => {
    const result = await cp.graphql<{ tenants: unknown[] }>(listTenants);
    expect(result.status).toBe(200);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ tenants: { nodes: [] } });
  });

  it('never writes the admin token to the log', () => {
    expect(cp.logLines.length).toBeGreaterThan(0);
    expect(cp.logLines.join('\n')).not.toContain(cp.config.adminToken);
  });
});
