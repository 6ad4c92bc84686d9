/**
 * The whole product, end to end, through the real apps: GraphQL admin API → signed snapshot over
 * Redis → proxy → real MCP server (server-everything) → audit events over BullMQ → exporter →
 * Splunk HEC receiver. The client is the official MCP SDK.
 */
import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { generateSnapshotKeyPair } from '@mcpg/policy';
import {
  createTestDatabase,
  startEverythingServer,
  startHecReceiver,
  startUpstreamTap,
  type HecReceiver,
  type RunningMcpServer,
  type UpstreamTap,
} from '@mcpg/testing';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadControlPlaneConfig } from '../apps/control-plane/src/config.js';
import { startControlPlane, type RunningControlPlane } from '../apps/control-plane/src/control-plane.js';
import { loadProxyConfig } from '../apps/proxy/src/config.js';
import { startProxy, type RunningProxy } from '../apps/proxy/src/proxy-server.js';
import { loadSiemExporterConfig } from '../apps/siem-exporter/src/config.js';
import { startSiemExporter, type SiemExporter } from '../apps/siem-exporter/src/siem-exporter.js';

const prefix = `test:e2e:${randomBytes(4).toString('hex')}:`;
const adminToken = randomBytes(24).toString('base64url');
const hecToken = randomBytes(16).toString('hex');

let dropDatabase: () => Promise<void>;
let everything: RunningMcpServer;
let tap: UpstreamTap;
let hec: HecReceiver;
let controlPlane: RunningControlPlane;
let proxy: RunningProxy;
let exporter: SiemExporter;

async function gql<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}, token = adminToken) {
  const res = await request(controlPlane.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.body.json()) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string; field?: string } }> };
}

async function mutate<T>(query: string, variables: Record<string, unknown>): Promise<T> {
  const result = await gql<T>(query, variables);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!;
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const mcpUrl = () => `${proxy.url}/t/acme/everything/mcp`;

async function connect(secret: string): Promise<Client> {
  const client = new Client({ name: 'e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl()), { requestInit: { headers: { authorization: `Bearer ${secret}` } } }));
  return client;
}

async function postStatus(secret: string): Promise<number> {
  const res = await request(mcpUrl(), {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
  });
  await res.body.dump();
  return res.statusCode;
}

/** Whether a tools/call of `name` currently gets through the proxy (not -32001). */
async function isToolAllowed(secret: string, name: string): Promise<boolean> {
  const client = await connect(secret);
  try {
    await client.callTool({ name, arguments: { a: 1, b: 2, message: 'probe' } });
    return true;
  } catch (err) {
    if ((err as { code?: number }).code === -32001) return false;
    throw err;
  } finally {
    await client.close();
  }
}

beforeAll(async () => {
  const db = await createTestDatabase('e2e');
  dropDatabase = db.drop;
  const keys = await generateSnapshotKeyPair();
  everything = await startEverythingServer();
  tap = await startUpstreamTap(everything.url);
  hec = await startHecReceiver({ token: hecToken });
  controlPlane = await startControlPlane(
    loadControlPlaneConfig({
      DATABASE_URL: db.url,
      MCPG_REDIS_KEY_PREFIX: prefix,
      MCPG_ADMIN_TOKEN: adminToken,
      MCPG_SNAPSHOT_SIGNING_KEY: keys.privateKeyPem,
      CONTROL_PLANE_PORT: '0',
    }),
  );
  proxy = await startProxy(
    loadProxyConfig({ PROXY_PORT: '0', MCPG_REDIS_KEY_PREFIX: prefix, MCPG_SNAPSHOT_PUBLIC_KEYS: keys.publicKeyPem, MCPG_AUDIT_FLUSH_MS: '50', MCPG_PROXY_ID: 'proxy-e2e' }),
  );
  exporter = await startSiemExporter(
    loadSiemExporterConfig({
      MCPG_REDIS_KEY_PREFIX: prefix,
      SPLUNK_HEC_URL: hec.url,
      SPLUNK_HEC_TOKEN: hecToken,
      SPLUNK_INDEX: 'mcp_audit',
      EXPORTER_BACKOFF_MS: '50',
    }),
  );
});

afterAll(async () => {
  await proxy?.close();
  await exporter?.close();
  await controlPlane?.close();
  await hec?.close();
  await tap?.close();
  await everything?.close();
  await dropDatabase?.();
  const redis = new Redis('redis://127.0.0.1:6379');
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe('walking skeleton, end to end', () => {
  let tenantId: string;
  let keyId: string;
  let secret: string;

  it('sets up a tenant, an upstream server and an API key through GraphQL', async () => {
    const t = await mutate<{ createTenant: { id: string } }>('mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }', {
      i: { slug: 'acme', name: 'Acme Corp' },
    });
    tenantId = t.createTenant.id;
    await mutate('mutation($i: AddUpstreamServerInput!) { addUpstreamServer(input: $i) { id } }', {
      i: { tenantId, name: 'everything', url: tap.url },
    });
    const k = await mutate<{ createApiKey: { secret: string; apiKey: { id: string; prefix: string } } }>(
      'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret apiKey { id prefix } } }',
      { i: { tenantId, name: 'laptop' } },
    );
    secret = k.createApiKey.secret;
    keyId = k.createApiKey.apiKey.id;
    expect(secret).toMatch(/^mcpg_[0-9A-Za-z]{49}$/);
    expect(secret.startsWith(k.createApiKey.apiKey.prefix)).toBe(true);
    await mutate('mutation($i: SetToolRuleInput!) { setToolRule(input: $i) { id } }', { i: { apiKeyId: keyId, toolGlobs: ['echo'] } });
    const listed = await gql<{ apiKeys: { nodes: Array<Record<string, unknown>> } }>('query($t: ID!) { apiKeys(tenantId: $t) { nodes { id name prefix } } }', { t: tenantId });
    expect(JSON.stringify(listed)).not.toContain(secret);
    // A bare ping has no MCP session, so the upstream answers 400; what matters is that the proxy
    // knows the tenant (not 404) and the key (not 401).
    await until(async () => ![404, 401].includes(await postStatus(secret)), 'proxy to serve the new tenant');
  });

  it('lists only the allowed tools and passes an allowed call through intact', async () => {
    const client = await connect(secret);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['echo']);
    const result = await client.callTool({ name: 'echo', arguments: { message: 'hi from e2e' } });
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: hi from e2e' }]);
    await client.close();
  });

  it('answers a denied tool with a JSON-RPC error and never calls the upstream', async () => {
    const client = await connect(secret);
    await expect(client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } })).rejects.toMatchObject({ code: -32001 });
    await client.close();
    expect(tap.calledTools()).not.toContain('get-sum');
  });

  it('rejects a wrong key with 401', async () => {
    const wrong = secret.slice(0, -8) + 'AAAAAAAA';
    expect(await postStatus(wrong)).toBe(401);
    const res = await request(mcpUrl(), { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toContain('Bearer');
    await res.body.dump();
  });

  it('changes what the running proxy allows when the key’s globs change through GraphQL', async () => {
    await mutate('mutation($i: SetToolRuleInput!) { setToolRule(input: $i) { id } }', { i: { apiKeyId: keyId, toolGlobs: ['echo', 'get-*'] } });
    await until(() => isToolAllowed(secret, 'get-sum'), 'get-sum to be allowed');
    const client = await connect(secret);
    const sum = await client.callTool({ name: 'get-sum', arguments: { a: 19, b: 23 } });
    expect(JSON.stringify(sum.content)).toContain('42');
    await client.close();
  });

  it('locks a revoked key out', async () => {
    await mutate('mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }', { id: keyId });
    await until(async () => (await postStatus(secret)) === 401, 'revocation to reach the proxy');
  });

  it('records each snapshot version', async () => {
    const { snapshots } = await mutate<{ snapshots: { nodes: Array<{ version: number }> } }>('query($t: ID!) { snapshots(tenantId: $t) { nodes { version } } }', { t: tenantId });
    const versions = snapshots.nodes.map((s) => s.version);
    expect(versions).toEqual([...versions].sort((a, b) => b - a));
    expect(versions[0]).toBeGreaterThanOrEqual(6);
  });

  it('delivers the audit events to Splunk HEC with the expected fields and no secrets', async () => {
    await proxy.flushAudit();
    await until(async () => {
      const kinds = new Set(hec.events.map((e) => (e.event as { kind: string }).kind));
      const isRevocationSeen = hec.events.some((e) => (e.event as { reason?: string }).reason === 'revoked_key');
      return isRevocationSeen && ['tool.call', 'tool.denied', 'auth.failure', 'request'].every((k) => kinds.has(k));
    }, 'audit events at HEC');
    const events = hec.events.map((e) => e.event as Record<string, unknown>);
    const echo = events.find((e) => e.kind === 'tool.call' && e.tool === 'echo')!;
    expect(echo).toMatchObject({
      schemaVersion: 1,
      tenantId,
      region: 'local',
      proxyId: 'proxy-e2e',
      server: 'everything',
      method: 'tools/call',
      decision: 'allow',
      principal: { via: 'apikey', keyId },
      status: 200,
    });
    expect(echo.ruleId).toEqual(expect.any(String));
    expect(echo.snapshotVersion).toEqual(expect.any(Number));
    expect(echo.id).toMatch(/^[0-9a-f-]{36}$/);
    const denied = events.find((e) => e.kind === 'tool.denied' && e.tool === 'get-sum')!;
    expect(denied).toMatchObject({ decision: 'deny', reason: 'no_matching_rule', ruleId: null });
    expect(events.some((e) => e.kind === 'auth.failure' && e.reason === 'revoked_key')).toBe(true);
    // The control plane's admin.change events travel the same queue and exporter.
    await until(async () => hec.events.some((e) => (e.event as { change?: { action: string } }).change?.action === 'revokeApiKey'), 'admin.change at HEC');
    const adminChanges = hec.events.map((e) => e.event as { kind: string; tenantId: string; principal: { subject: string }; change: { action: string } }).filter((e) => e.kind === 'admin.change');
    expect(adminChanges.map((e) => e.change.action)).toEqual(
      expect.arrayContaining(['createTenant', 'addUpstreamServer', 'createApiKey', 'setToolRule', 'revokeApiKey']),
    );
    expect(adminChanges.every((e) => e.tenantId === tenantId && e.principal.subject === 'bootstrap')).toBe(true);
    const envelope = hec.events.find((e) => e.event === echo || (e.event as { id: string }).id === echo.id)!;
    expect(envelope).toMatchObject({ sourcetype: 'mcpg:audit', index: 'mcp_audit', host: 'proxy-e2e' });
    const everything = JSON.stringify(hec.events);
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(secret.slice(5, 30));
    expect(everything).not.toContain(adminToken);
    expect(everything).not.toContain(hecToken);
  });
});
