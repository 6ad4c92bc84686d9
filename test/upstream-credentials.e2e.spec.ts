/**
 * Upstream credentials, end to end through the real apps: an admin gives an upstream server its
 * own credential through GraphQL; the control plane seals it at rest and again for proxies in
 * the signed snapshot; the proxy opens it once and sends it on every request to that upstream,
 * while the client's own credential stops at the proxy. The upstreams are the real
 * server-everything behind a gate that refuses requests without the expected header.
 */
import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createLogger } from '@mcpg/observability';
import { generateSnapshotKeyPair } from '@mcpg/policy';
import {
  adminGraphql,
  createTestDatabase,
  deleteRedisKeysWithPrefix,
  startEverythingServer,
  startUpstreamTap,
  waitUntil,
  type RunningMcpServer,
  type UpstreamTap,
} from '@mcpg/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadControlPlaneConfig } from '../apps/control-plane/src/config.js';
import { startControlPlane, type RunningControlPlane } from '../apps/control-plane/src/control-plane.js';
import { loadProxyConfig } from '../apps/proxy/src/config.js';
import { startProxy, type RunningProxy } from '../apps/proxy/src/proxy-server.js';

const prefix = `test:e2e-cred:${randomBytes(4).toString('hex')}:`;
const adminToken = randomBytes(24).toString('base64url');
const upstreamCredentialsKey = randomBytes(32).toString('base64');
const BEARER = `up-bearer-${randomBytes(8).toString('hex')}`;
const API_KEY = `up-key-${randomBytes(8).toString('hex')}`;

let dropDatabase: () => Promise<void>;
let everything: RunningMcpServer;
let everythingSse: RunningMcpServer;
let bearerGate: UpstreamTap;
let headerGate: UpstreamTap;
let controlPlane: RunningControlPlane;
let proxy: RunningProxy;
let snapshotPublicKeyPem: string;

const mutate = adminGraphql(() => controlPlane.url, adminToken);

beforeAll(async () => {
  const db = await createTestDatabase('e2e_upstream_credentials');
  dropDatabase = db.drop;
  const keys = await generateSnapshotKeyPair();
  snapshotPublicKeyPem = keys.publicKeyPem;
  [everything, everythingSse] = await Promise.all([startEverythingServer(), startEverythingServer('sse')]);
  bearerGate = await startUpstreamTap(everything.url, { requireHeader: { name: 'authorization', value: `Bearer ${BEARER}` } });
  headerGate = await startUpstreamTap(everythingSse.url, { requireHeader: { name: 'x-api-key', value: API_KEY } });
  controlPlane = await startControlPlane(
    loadControlPlaneConfig({
      DATABASE_URL: db.url,
      MCPG_REDIS_KEY_PREFIX: prefix,
      MCPG_ADMIN_TOKEN: adminToken,
      MCPG_SNAPSHOT_SIGNING_KEY: keys.privateKeyPem,
      MCPG_UPSTREAM_CREDENTIALS_KEY: upstreamCredentialsKey,
      CONTROL_PLANE_PORT: '0',
    }),
  );
  proxy = await startProxy(
    loadProxyConfig({ PROXY_PORT: '0', MCPG_REDIS_KEY_PREFIX: prefix, MCPG_SNAPSHOT_PUBLIC_KEYS: keys.publicKeyPem, MCPG_UPSTREAM_CREDENTIALS_KEY: upstreamCredentialsKey, MCPG_PROXY_ID: 'proxy-cred' }),
  );
});

afterAll(async () => {
  await proxy?.close();
  await controlPlane?.close();
  await bearerGate?.close();
  await headerGate?.close();
  await everything?.close();
  await everythingSse?.close();
  await dropDatabase?.();
  await deleteRedisKeysWithPrefix(prefix);
});

describe('upstream credentials, end to end', () => {
  let tenantId: string;
  let bearerServerId: string;
  let clientSecret: string;

  async function connectStreamable(proxyUrl = proxy.url): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
    const client = new Client({ name: 'cred-e2e', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${proxyUrl}/t/cred/gated/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${clientSecret}` } },
    });
    await client.connect(transport);
    return { client, transport };
  }

  it('sets up a tenant whose two upstreams each need their own credential', async () => {
    tenantId = (await mutate<{ createTenant: { id: string } }>('mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }', { i: { slug: 'cred', name: 'Cred' } })).createTenant.id;
    const added = await mutate<{ addUpstreamServer: { id: string; hasCredential: boolean } }>(
      'mutation($i: AddUpstreamServerInput!) { addUpstreamServer(input: $i) { id hasCredential } }',
      { i: { tenantId, name: 'gated', url: bearerGate.url, credential: { kind: 'BEARER', value: BEARER } } },
    );
    expect(added.addUpstreamServer.hasCredential).toBe(true);
    bearerServerId = added.addUpstreamServer.id;
    const legacy = await mutate<{ addUpstreamServer: { id: string } }>('mutation($i: AddUpstreamServerInput!) { addUpstreamServer(input: $i) { id } }', {
      i: { tenantId, name: 'legacy', url: headerGate.url, transport: 'sse' },
    });
    await mutate('mutation($i: SetUpstreamServerCredentialInput!) { setUpstreamServerCredential(input: $i) { id } }', {
      i: { serverId: legacy.addUpstreamServer.id, credential: { kind: 'HEADER', headerName: 'X-API-Key', value: API_KEY } },
    });
    const key = await mutate<{ createApiKey: { secret: string; apiKey: { id: string } } }>(
      'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret apiKey { id } } }',
      { i: { tenantId, name: 'laptop' } },
    );
    clientSecret = key.createApiKey.secret;
    await mutate('mutation($i: SetToolRuleInput!) { setToolRule(input: $i) { id } }', { i: { apiKeyId: key.createApiKey.apiKey.id, toolGlobs: ['echo'] } });
    await waitUntil(() => proxy.store.findBySlug('cred')?.snapshot.rules.length === 1, 'proxy to have the tenant with its rule');
  });

  it('sends the configured bearer token on every Streamable HTTP request (POST, GET, DELETE), never the client\'s', async () => {
    const seenBefore = bearerGate.requests.length;
    const { client, transport } = await connectStreamable();
    const result = await client.callTool({ name: 'echo', arguments: { message: 'through the gate' } });
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: through the gate' }]);
    await transport.terminateSession();
    await client.close();

    const seen = bearerGate.requests.slice(seenBefore);
    expect(new Set(seen.map((r) => r.method))).toEqual(new Set(['POST', 'GET', 'DELETE']));
    for (const r of seen) expect(r.headers.authorization).toBe(`Bearer ${BEARER}`);
    expect(JSON.stringify(seen)).not.toContain(clientSecret);
  });

  it('sends the configured custom header to a legacy SSE upstream, on the stream and on every posted message', async () => {
    const seenBefore = headerGate.requests.length;
    const headers = { authorization: `Bearer ${clientSecret}` };
    const transport = new SSEClientTransport(new URL(`${proxy.url}/t/cred/legacy/sse`), {
      requestInit: { headers },
      eventSourceInit: { fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } }) },
    });
    const client = new Client({ name: 'cred-e2e-legacy', version: '1.0.0' });
    await client.connect(transport);
    const result = await client.callTool({ name: 'echo', arguments: { message: 'legacy gate' } });
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: legacy gate' }]);
    await client.close();

    const seen = headerGate.requests.slice(seenBefore);
    expect(new Set(seen.map((r) => r.method))).toEqual(new Set(['GET', 'POST']));
    for (const r of seen) {
      expect(r.headers['x-api-key']).toBe(API_KEY);
      expect(r.headers.authorization).toBeUndefined();
    }
    expect(JSON.stringify(seen)).not.toContain(clientSecret);
  });

  it('keeps serving the tenant on a proxy whose key does not open the credentials, logging it and sending none', async () => {
    const lines: string[] = [];
    const wrongKeyProxy = await startProxy(
      loadProxyConfig({
        PROXY_PORT: '0',
        MCPG_REDIS_KEY_PREFIX: prefix,
        MCPG_SNAPSHOT_PUBLIC_KEYS: snapshotPublicKeyPem,
        MCPG_UPSTREAM_CREDENTIALS_KEY: randomBytes(32).toString('hex'),
        MCPG_PROXY_ID: 'proxy-wrong-key',
      }),
      createLogger({ app: 'proxy' }, 'info', (line) => lines.push(line)),
    );
    try {
      expect(wrongKeyProxy.store.findBySlug('cred')?.tenantId).toBe(tenantId);
      const logged = lines.map((l) => JSON.parse(l) as { level: string; msg: string; serverIds?: string[] }).find((l) => l.msg.startsWith('upstream credentials did not open'));
      expect(logged).toMatchObject({ level: 'error', serverIds: expect.arrayContaining([bearerServerId]) });
      expect(lines.join('\n')).not.toContain(BEARER);

      const seenBefore = bearerGate.requests.length;
      await expect(connectStreamable(wrongKeyProxy.url)).rejects.toThrow(/upstream credential missing or wrong/);
      for (const r of bearerGate.requests.slice(seenBefore)) expect(r.headers.authorization).toBeUndefined();
    } finally {
      await wrongKeyProxy.close();
    }
  });

  it('sends nothing once the credential is cleared, and the upstream refuses', async () => {
    const version = proxy.store.versionOf(tenantId);
    const cleared = await mutate<{ setUpstreamServerCredential: { hasCredential: boolean } }>(
      'mutation($i: SetUpstreamServerCredentialInput!) { setUpstreamServerCredential(input: $i) { hasCredential } }',
      { i: { serverId: bearerServerId, credential: null } },
    );
    expect(cleared.setUpstreamServerCredential.hasCredential).toBe(false);
    await waitUntil(() => proxy.store.versionOf(tenantId) > version, 'proxy to apply the snapshot without the credential');

    const seenBefore = bearerGate.requests.length;
    await expect(connectStreamable()).rejects.toThrow(/upstream credential missing or wrong/);
    const seen = bearerGate.requests.slice(seenBefore);
    expect(seen.length).toBeGreaterThan(0);
    // Neither the old credential nor the client's own token stands in for the cleared one.
    for (const r of seen) expect(r.headers.authorization).toBeUndefined();
  });
});
