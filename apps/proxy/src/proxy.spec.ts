import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { generateApiKey, type NewApiKey } from '@mcpg/auth';
import { busNames, SnapshotPublisher } from '@mcpg/bus';
import { compileSnapshot, generateSnapshotKeyPair, importSigningKey, signSnapshot, type TenantModel } from '@mcpg/policy';
import { startEverythingServer, startUpstreamTap, type RunningMcpServer, type UpstreamTap } from '@mcpg/testing';
import { Redis } from 'ioredis';
import type { CryptoKey } from 'jose';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProxyConfig } from './config.js';
import { startProxy, type RunningProxy } from './proxy-server.js';

const prefix = `test:proxy:${randomBytes(4).toString('hex')}:`;
const names = busNames(prefix);
let redis: Redis;
let everything: RunningMcpServer;
let tap: UpstreamTap;
let proxy: RunningProxy;
let signingKey: CryptoKey;
let otherSigningKey: CryptoKey;
let dev: NewApiKey;
let revoked: NewApiKey;
let version = 0;
let model: TenantModel;

async function publish(m: TenantModel, key = signingKey): Promise<number> {
  version += 1;
  const jws = await signSnapshot(compileSnapshot(m, version), key);
  await new SnapshotPublisher(redis, names).publish(m.tenant.id, version, jws);
  return version;
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function connect(secret: string): Promise<Client> {
  const client = new Client({ name: 'proxy-spec', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${proxy.url}/t/acme/everything/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${secret}` } },
  });
  await client.connect(transport);
  return client;
}

function rpc(body: string, headers: Record<string, string> = {}) {
  return request(`${proxy.url}/t/acme/everything/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body,
  });
}

beforeAll(async () => {
  redis = new Redis('redis://127.0.0.1:6379');
  everything = await startEverythingServer();
  tap = await startUpstreamTap(everything.url);
  const pair = await generateSnapshotKeyPair();
  signingKey = await importSigningKey(pair.privateKeyPem);
  otherSigningKey = await importSigningKey((await generateSnapshotKeyPair()).privateKeyPem);
  dev = generateApiKey();
  revoked = generateApiKey();
  model = {
    tenant: { id: 'tenant-acme', slug: 'acme' },
    servers: [{ id: 'srv1', name: 'everything', url: tap.url }],
    apiKeys: [
      { id: 'key-dev', name: 'dev', prefix: dev.prefix, hash: dev.hash, revokedAt: null },
      { id: 'key-old', name: 'old', prefix: revoked.prefix, hash: revoked.hash, revokedAt: new Date() },
    ],
    toolRules: [{ id: 'rule-dev', apiKeyId: 'key-dev', toolGlobs: ['echo', 'get-sum'] }],
  };
  await publish(model);
  proxy = await startProxy(
    loadProxyConfig({ PROXY_PORT: '0', MCPG_REDIS_KEY_PREFIX: prefix, MCPG_SNAPSHOT_PUBLIC_KEYS: pair.publicKeyPem, MCPG_AUDIT_FLUSH_MS: '20' }),
  );
});

afterAll(async () => {
  await proxy?.close();
  await tap?.close();
  await everything?.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe('proxy', () => {
  it('is live and ready once snapshots are loaded', async () => {
    expect((await request(`${proxy.url}/healthz`)).statusCode).toBe(200);
    const ready = await request(`${proxy.url}/readyz`);
    expect(ready.statusCode).toBe(200);
    expect(await ready.body.json()).toMatchObject({ status: 'ready', tenants: 1 });
  });

  it('lists only allowed tools and forwards allowed calls intact through the official SDK client', async () => {
    const client = await connect(dev.secret);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['echo', 'get-sum']);
    const echoed = await client.callTool({ name: 'echo', arguments: { message: 'hello through the proxy' } });
    expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: hello through the proxy' }]);
    const sum = await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 40 } });
    expect(JSON.stringify(sum.content)).toContain('42');
    await client.close();
  });

  it('answers a denied tool call itself; the upstream never sees it', async () => {
    const client = await connect(dev.secret);
    await expect(client.callTool({ name: 'get-env', arguments: {} })).rejects.toMatchObject({ code: -32001 });
    expect(tap.calledTools()).not.toContain('get-env');
    await client.close();
  });

  it('rejects a missing, malformed, unknown or revoked key with 401 and a WWW-Authenticate challenge', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{}, 'missing_credentials'],
      [{ authorization: 'Bearer not-a-key' }, 'malformed_key'],
      [{ authorization: `Bearer ${generateApiKey().secret}` }, 'unknown_key'],
      [{ authorization: `Bearer ${revoked.secret}` }, 'revoked_key'],
      [{ authorization: `Basic ${dev.secret}` }, 'unsupported_scheme'],
    ];
    for (const [headers, reason] of cases) {
      const res = await rpc('{"jsonrpc":"2.0","id":1,"method":"tools/list"}', headers);
      expect(res.statusCode, reason).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="mcp-guard"/);
      expect(await res.body.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32004, data: { reason } } });
    }
  });

  it('answers malformed JSON with a -32700 parse error and HTTP 400', async () => {
    const res = await rpc('{"jsonrpc":', { authorization: `Bearer ${dev.secret}` });
    expect(res.statusCode).toBe(400);
    expect(await res.body.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
  });

  it('answers unknown tenants and servers with 404', async () => {
    for (const path of ['/t/nobody/everything/mcp', '/t/acme/nothing/mcp']) {
      const res = await request(`${proxy.url}${path}`, { method: 'POST', body: '{}', headers: { authorization: `Bearer ${dev.secret}` } });
      expect(res.statusCode).toBe(404);
      expect(await res.body.json()).toMatchObject({ error: { code: -32005 } });
    }
  });

  it('applies a new snapshot without a restart', async () => {
    const v = await publish({ ...model, toolRules: [{ id: 'rule-dev', apiKeyId: 'key-dev', toolGlobs: ['get-*'] }] });
    await until(() => proxy.store.versionOf('tenant-acme') === v, 'new snapshot');
    const client = await connect(dev.secret);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).not.toContain('echo');
    expect(tools.map((t) => t.name)).toContain('get-env');
    await expect(client.callTool({ name: 'echo', arguments: { message: 'x' } })).rejects.toMatchObject({ code: -32001 });
    await client.close();
  });

  it('refuses a snapshot signed with another key and keeps the previous one', async () => {
    const before = proxy.store.versionOf('tenant-acme');
    const rejectedBefore = proxy.store.rejectedCount;
    await publish({ ...model, toolRules: [{ id: 'rule-dev', apiKeyId: 'key-dev', toolGlobs: ['*'] }] }, otherSigningKey);
    await until(() => proxy.store.rejectedCount > rejectedBefore, 'rejection');
    expect(proxy.store.versionOf('tenant-acme')).toBe(before);
  });

  it('refuses a snapshot altered in Redis and keeps the previous one', async () => {
    const before = proxy.store.versionOf('tenant-acme');
    const rejectedBefore = proxy.store.rejectedCount;
    version += 1;
    const jws = await signSnapshot(compileSnapshot(model, version), signingKey);
    const [h, p, s] = jws.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    payload.rules[0].toolGlobs = ['*'];
    const tampered = [h, Buffer.from(JSON.stringify(payload)).toString('base64url'), s].join('.');
    await new SnapshotPublisher(redis, names).publish('tenant-acme', version, tampered);
    await until(() => proxy.store.rejectedCount > rejectedBefore, 'rejection');
    expect(proxy.store.versionOf('tenant-acme')).toBe(before);
  });

  it('rate-limits per key with 429 and Retry-After', async () => {
    const v = await publish({ ...model, rateLimit: { capacity: 2, refillPerSecond: 0.01 } });
    await until(() => proxy.store.versionOf('tenant-acme') === v, 'rate-limited snapshot');
    const body = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof rpc>> | undefined;
    for (let i = 0; i < 4; i++) {
      last = await rpc(body, { authorization: `Bearer ${dev.secret}` });
      statuses.push(last.statusCode);
      if (last.statusCode !== 429) await last.body.dump();
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await last!.body.json()).toMatchObject({ error: { code: -32002 } });
    await publish(model);
  });

  it('never forwards the client credential to the upstream', () => {
    expect(tap.requests.length).toBeGreaterThan(0);
    for (const r of tap.requests) {
      expect(r.headers.authorization).toBeUndefined();
      expect(JSON.stringify(r.headers)).not.toContain(dev.secret);
    }
  });
});
