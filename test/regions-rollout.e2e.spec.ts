/**
 * Regions end to end: one control plane, two regions on two Redis logical databases (each with
 * its own key prefix), a proxy in each. A tenant placed in one region is served only there;
 * moving it moves it; rollout status shows which proxy runs which version and which lag; a
 * rollback restores the old behaviour on the running proxy (real MCP server, official client).
 */
import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createLogger } from '@mcpg/observability';
import { generateSnapshotKeyPair } from '@mcpg/policy';
import { adminGraphql, createTestDatabase, deleteRedisKeysWithPrefix, startEverythingServer, type RunningMcpServer } from '@mcpg/testing';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadControlPlaneConfig } from '../apps/control-plane/src/config.js';
import { startControlPlane, type RunningControlPlane } from '../apps/control-plane/src/control-plane.js';
import { loadProxyConfig } from '../apps/proxy/src/config.js';
import { startProxy, type RunningProxy } from '../apps/proxy/src/proxy-server.js';

const run = randomBytes(4).toString('hex');
const base = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const regionsSetup = {
  local: { url: `${base}/0`, prefix: `test:regions:${run}:local:` },
  eu: { url: `${base}/1`, prefix: `test:regions:${run}:eu:` },
  us: { url: `${base}/2`, prefix: `test:regions:${run}:us:` },
} as const;
const adminToken = randomBytes(24).toString('base64url');

let dropDatabase: () => Promise<void>;
let everything: RunningMcpServer;
let controlPlane: RunningControlPlane;
const proxies: Record<'eu' | 'us' | 'euBroken', RunningProxy> = {} as never;

const gql = adminGraphql(() => controlPlane.url, adminToken);

/** 404: the proxy does not know the tenant; 401: it does (and wants a key). */
async function statusWithoutKey(proxy: RunningProxy): Promise<number> {
  const res = await request(`${proxy.url}/t/acme/everything/mcp`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
  await res.body.dump();
  return res.statusCode;
}

async function isToolAllowed(proxy: RunningProxy, secret: string, name: string): Promise<boolean> {
  const client = new Client({ name: 'regions-e2e', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${proxy.url}/t/acme/everything/mcp`), { requestInit: { headers: { authorization: `Bearer ${secret}` } } }),
  );
  try {
    await client.callTool({ name, arguments: { message: 'probe' } });
    return true;
  } catch (err) {
    if ((err as { code?: number }).code === -32001) return false;
    throw err;
  } finally {
    await client.close();
  }
}

function proxyIn(region: 'eu' | 'us', publicKeyPem: string, proxyId: string, quiet = false) {
  return startProxy(
    loadProxyConfig({
      PROXY_PORT: '0',
      REDIS_URL: regionsSetup[region].url,
      MCPG_REDIS_KEY_PREFIX: regionsSetup[region].prefix,
      MCPG_SNAPSHOT_PUBLIC_KEYS: publicKeyPem,
      MCPG_REGION: region,
      MCPG_PROXY_ID: proxyId,
      MCPG_HEARTBEAT_INTERVAL_MS: '200',
      MCPG_AUDIT_FLUSH_MS: '50',
    }),
    quiet ? createLogger({ proxyId }, 'error', () => undefined) : undefined,
  );
}

interface Rollout {
  rollout: { latestVersion: number; expectedVersion: number; laggingProxies: number; regions: Array<{ region: string; proxies: Array<{ proxyId: string; version: number; isLagging: boolean }> }> };
}
const ROLLOUT = 'query($t: ID!) { rollout(tenantId: $t) { latestVersion expectedVersion laggingProxies regions { region proxies { proxyId version isLagging } } } }';

beforeAll(async () => {
  const db = await createTestDatabase('regions_e2e');
  dropDatabase = db.drop;
  const keys = await generateSnapshotKeyPair();
  const otherKeys = await generateSnapshotKeyPair();
  everything = await startEverythingServer();
  controlPlane = await startControlPlane(
    loadControlPlaneConfig({
      DATABASE_URL: db.url,
      REDIS_URL: regionsSetup.local.url,
      MCPG_REDIS_KEY_PREFIX: regionsSetup.local.prefix,
      MCPG_ADMIN_TOKEN: adminToken,
      MCPG_SNAPSHOT_SIGNING_KEY: keys.privateKeyPem,
      CONTROL_PLANE_PORT: '0',
      MCPG_LOG_LEVEL: 'warn',
    }),
  );
  proxies.eu = await proxyIn('eu', keys.publicKeyPem, 'proxy-eu-1');
  proxies.us = await proxyIn('us', keys.publicKeyPem, 'proxy-us-1');
  // Trusts another signing key, so it rejects every snapshot: a proxy that cannot catch up.
  proxies.euBroken = await proxyIn('eu', otherKeys.publicKeyPem, 'proxy-eu-stale', true);
});

afterAll(async () => {
  for (const proxy of Object.values(proxies)) await proxy?.close();
  await controlPlane?.close();
  await everything?.close();
  await dropDatabase?.();
  for (const { url, prefix } of Object.values(regionsSetup)) await deleteRedisKeysWithPrefix(prefix, url);
});

describe('regions and rollout', () => {
  let tenantId: string;
  let secret: string;
  let keyId: string;
  const regionIds: Record<'eu' | 'us', string> = { eu: '', us: '' };

  it('places a tenant in one region: only that region’s proxy serves it', async () => {
    for (const region of ['eu', 'us'] as const) {
      const { createRegion } = await gql<{ createRegion: { id: string } }>('mutation($i: CreateRegionInput!) { createRegion(input: $i) { id } }', {
        i: { name: region, redisUrl: regionsSetup[region].url, redisKeyPrefix: regionsSetup[region].prefix },
      });
      regionIds[region] = createRegion.id;
    }
    tenantId = (await gql<{ createTenant: { id: string } }>('mutation { createTenant(input: { slug: "acme", name: "Acme" }) { id } }')).createTenant.id;
    await gql('mutation($i: AddUpstreamServerInput!) { addUpstreamServer(input: $i) { id } }', { i: { tenantId, name: 'everything', url: everything.url } });
    const created = await gql<{ createApiKey: { secret: string; apiKey: { id: string } } }>(
      'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret apiKey { id } } }',
      { i: { tenantId, name: 'agent' } },
    );
    secret = created.createApiKey.secret;
    keyId = created.createApiKey.apiKey.id;
    await gql('mutation($i: SetToolRuleInput!) { setToolRule(input: $i) { id } }', { i: { apiKeyId: keyId, toolGlobs: ['echo'] } });
    expect(await statusWithoutKey(proxies.eu)).toBe(404);

    const { setTenantRegions } = await gql<{ setTenantRegions: Array<{ name: string }> }>(
      'mutation($i: SetTenantRegionsInput!) { setTenantRegions(input: $i) { name } }',
      { i: { tenantId, regionIds: [regionIds.eu] } },
    );
    expect(setTenantRegions.map((r) => r.name)).toEqual(['eu']);
    await expect.poll(() => statusWithoutKey(proxies.eu), { timeout: 5000 }).toBe(401);
    expect(await statusWithoutKey(proxies.us)).toBe(404);
    expect(await isToolAllowed(proxies.eu, secret, 'echo')).toBe(true);
    // Left the default region: tombstoned there.
    const local = new Redis(regionsSetup.local.url);
    expect(await local.hget(`${regionsSetup.local.prefix}mcpg:manifest`, tenantId)).toBeNull();
    local.disconnect();
  });

  it('shows rollout status per region: who runs which version, and who lags', async () => {
    await expect
      .poll(async () => (await gql<Rollout>(ROLLOUT, { t: tenantId })).rollout.regions[0]?.proxies.find((p) => p.proxyId === 'proxy-eu-1')?.isLagging, { timeout: 5000 })
      .toBe(false);
    const { rollout } = await gql<Rollout>(ROLLOUT, { t: tenantId });
    expect(rollout).toMatchObject({ latestVersion: 4, expectedVersion: 4, laggingProxies: 1 });
    expect(rollout.regions).toHaveLength(1);
    expect(rollout.regions[0]!.region).toBe('eu');
    expect(rollout.regions[0]!.proxies).toEqual([
      { proxyId: 'proxy-eu-1', version: 4, isLagging: false },
      { proxyId: 'proxy-eu-stale', version: 0, isLagging: true },
    ]);
    type ProxyPage = { proxies: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: Array<{ proxyId: string; region: string; reportedVia: string }> } };
    const PROXIES = 'query($after: String) { proxies(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { proxyId region reportedVia } } }';
    const firstPage = (await gql<ProxyPage>(PROXIES, {})).proxies;
    const secondPage = (await gql<ProxyPage>(PROXIES, { after: firstPage.pageInfo.endCursor })).proxies;
    expect([firstPage.totalCount, firstPage.pageInfo.hasNextPage, secondPage.pageInfo.hasNextPage]).toEqual([3, true, false]);
    expect([...firstPage.nodes, ...secondPage.nodes].map((p) => [p.proxyId, p.region, p.reportedVia])).toEqual([
      ['proxy-eu-1', 'eu', 'eu'],
      ['proxy-eu-stale', 'eu', 'eu'],
      ['proxy-us-1', 'us', 'us'],
    ]);
  });

  it('moves a tenant: the new region serves it, the old one drops it', async () => {
    await gql('mutation($i: SetTenantRegionsInput!) { setTenantRegions(input: $i) { name } }', { i: { tenantId, regionIds: [regionIds.us] } });
    await expect.poll(() => statusWithoutKey(proxies.us), { timeout: 5000 }).toBe(401);
    await expect.poll(() => statusWithoutKey(proxies.eu), { timeout: 5000 }).toBe(404);
    expect(await isToolAllowed(proxies.us, secret, 'echo')).toBe(true);
    await expect
      .poll(async () => (await gql<Rollout>(ROLLOUT, { t: tenantId })).rollout.regions.map((r) => [r.region, r.proxies.map((p) => [p.proxyId, p.version])]), { timeout: 5000 })
      .toEqual([['us', [['proxy-us-1', 4]]]]);
  });

  it('rolls back on the running proxy: the old rule is enforced again', async () => {
    await gql('mutation($i: SetToolRuleInput!) { setToolRule(input: $i) { id } }', { i: { apiKeyId: keyId, toolGlobs: ['get-sum'] } });
    await expect.poll(() => isToolAllowed(proxies.us, secret, 'echo'), { timeout: 5000 }).toBe(false);
    const { rollbackTenant } = await gql<{ rollbackTenant: { version: number } }>('mutation($i: RollbackTenantInput!) { rollbackTenant(input: $i) { version } }', {
      i: { tenantId, toVersion: 4 },
    });
    expect(rollbackTenant.version).toBe(6);
    await expect.poll(() => isToolAllowed(proxies.us, secret, 'echo'), { timeout: 5000 }).toBe(true);
    expect(await isToolAllowed(proxies.us, secret, 'get-sum')).toBe(false);
  });

  it('enforces a deny rule over the key’s allow rule on the running proxy, and lifts it when removed', async () => {
    expect(await isToolAllowed(proxies.us, secret, 'echo')).toBe(true);
    const { addDenyRule } = await gql<{ addDenyRule: { id: string } }>('mutation($i: AddDenyRuleInput!) { addDenyRule(input: $i) { id } }', {
      i: { tenantId, name: 'no echo for the agent', subject: `apikey:${keyId}`, toolGlobs: ['echo'] },
    });
    await expect.poll(() => isToolAllowed(proxies.us, secret, 'echo'), { timeout: 5000 }).toBe(false);
    await gql('mutation($id: ID!) { removeDenyRule(id: $id) { id } }', { id: addDenyRule.id });
    await expect.poll(() => isToolAllowed(proxies.us, secret, 'echo'), { timeout: 5000 }).toBe(true);
  });

  it('limits the calls one rule allows with its own per-principal rate limit', async () => {
    await gql('mutation($i: SetToolRuleInput!) { setToolRule(input: $i) { id } }', {
      i: { apiKeyId: keyId, toolGlobs: ['echo'], rateLimit: { capacity: 2, refillPerSecond: 0.001 } },
    });
    await expect.poll(() => proxies.us.store.findBySlug('acme')?.ruleRateLimits.size, { timeout: 5000 }).toBe(1);
    const client = new Client({ name: 'regions-e2e', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${proxies.us.url}/t/acme/everything/mcp`), { requestInit: { headers: { authorization: `Bearer ${secret}` } } }),
    );
    try {
      await client.callTool({ name: 'echo', arguments: { message: 'one' } });
      await client.callTool({ name: 'echo', arguments: { message: 'two' } });
      await expect(client.callTool({ name: 'echo', arguments: { message: 'three' } })).rejects.toMatchObject({ code: -32002 });
    } finally {
      await client.close();
    }
    await gql('mutation($i: SetToolRuleInput!) { setToolRule(input: $i) { id } }', { i: { apiKeyId: keyId, toolGlobs: ['echo'], rateLimit: null } });
    await expect.poll(() => proxies.us.store.findBySlug('acme')?.ruleRateLimits.size, { timeout: 5000 }).toBe(0);
    expect(await isToolAllowed(proxies.us, secret, 'echo')).toBe(true);
  });

  it('suspends a tenant everywhere it runs and refuses to delete a region still in use', async () => {
    await gql('mutation($id: ID!) { suspendTenant(id: $id) { id } }', { id: tenantId });
    await expect.poll(() => statusWithoutKey(proxies.us), { timeout: 5000 }).toBe(404);
    const inUse = await request(controlPlane.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ query: 'mutation($id: ID!) { deleteRegion(id: $id) { id } }', variables: { id: regionIds.us } }),
    });
    expect(((await inUse.body.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code).toBe('CONFLICT');
    await gql('mutation($id: ID!) { resumeTenant(id: $id) { id } }', { id: tenantId });
    await expect.poll(() => statusWithoutKey(proxies.us), { timeout: 5000 }).toBe(401);
  });
});
