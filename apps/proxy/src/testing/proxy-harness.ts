import { randomBytes } from 'node:crypto';
import { Client, type ClientOptions } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { busNames, SnapshotPublisher } from '@mcpg/bus';
import { compileSnapshot, generateSnapshotKeyPair, importSigningKey, signSnapshot, type TenantModel } from '@mcpg/policy';
import type { AuditBatch, AuditEvent } from '@mcpg/audit';
import { SseParser } from '@mcpg/mcp';
import type { Logger } from '@mcpg/observability';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { request } from 'undici';
import type { CryptoKey } from 'jose';
import { loadProxyConfig } from '../config.js';
import { startProxy, type RunningProxy } from '../proxy-server.js';

/**
 * Real proxies (as many as a test wants, sharing one region's Redis key prefix and session key)
 * fed with snapshots signed here, for tests that drive the proxy over HTTP.
 */
export interface ProxyHarness {
  readonly proxies: RunningProxy[];
  /** Publishes the model as the next snapshot version and waits until every proxy applied it. */
  publish(model: TenantModel): Promise<number>;
  startProxy(env?: Record<string, string>, log?: Logger): Promise<RunningProxy>;
  /** Every audit event the proxies queued so far (after flushing them). */
  auditEvents(): Promise<AuditEvent[]>;
  close(): Promise<void>;
}

export async function startProxyHarness(model: TenantModel, env: Record<string, string> = {}): Promise<ProxyHarness> {
  const prefix = `test:${randomBytes(6).toString('hex')}:`;
  const names = busNames(prefix);
  const redis = new Redis('redis://127.0.0.1:6379');
  const pair = await generateSnapshotKeyPair();
  const signingKey: CryptoKey = await importSigningKey(pair.privateKeyPem);
  const sessionKeys = `k1:${randomBytes(32).toString('base64')}`;
  // Seals identity provider secrets into the snapshots; proxies get it unless `env` says otherwise.
  const secretsKey = randomBytes(32);
  const proxies: RunningProxy[] = [];
  const auditQueue = new Queue(names.auditQueue, { connection: redis, prefix: names.bullPrefix });
  let version = 0;

  const publish = async (m: TenantModel) => {
    version += 1;
    const jws = await signSnapshot(compileSnapshot(m, version, new Date(), { secretsKey }), signingKey);
    await new SnapshotPublisher(redis, names).publish(m.tenant.id, version, jws);
    const expected = version;
    for (let i = 0; i < 400 && !proxies.every((p) => p.store.versionOf(m.tenant.id) >= expected); i++) await new Promise((r) => setTimeout(r, 10));
    return version;
  };
  await publish(model);

  const harness: ProxyHarness = {
    proxies,
    publish,
    async startProxy(extra = {}, log?: Logger) {
      const proxy = await startProxy(
        loadProxyConfig({
          PROXY_PORT: '0',
          MCPG_REDIS_KEY_PREFIX: prefix,
          MCPG_SNAPSHOT_PUBLIC_KEYS: pair.publicKeyPem,
          MCPG_SESSION_KEYS: sessionKeys,
          MCPG_UPSTREAM_CREDENTIALS_KEY: secretsKey.toString('base64'),
          MCPG_AUDIT_FLUSH_MS: '20',
          ...env,
          ...extra,
        }),
        log,
      );
      proxies.push(proxy);
      return proxy;
    },
    async auditEvents() {
      await Promise.all(proxies.map((p) => p.flushAudit()));
      const jobs = await auditQueue.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed']);
      return jobs.flatMap((job) => (job.data as AuditBatch).events);
    },
    async close() {
      await Promise.all(proxies.map((p) => p.close()));
      await auditQueue.close();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    },
  };
  await harness.startProxy();
  return harness;
}

/** The official SDK client over Streamable HTTP, with an optional bearer credential. */
export async function connectSdkClient(url: string, secret?: string, options: ClientOptions = {}, setup?: (client: Client) => void): Promise<Client> {
  const client = new Client({ name: 'mcpg-test', version: '1.0.0' }, options);
  setup?.(client);
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: secret ? { headers: { authorization: `Bearer ${secret}` } } : {},
  });
  await client.connect(transport);
  return client;
}

export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** JSON-RPC messages from a JSON body, or from the data of every SSE event. */
  messages: unknown[];
  /** SSE event ids in order (empty for JSON bodies). */
  eventIds: string[];
}

/** One HTTP request to an MCP endpoint, the body read whole (JSON or a finite SSE stream). */
export async function rawMcp(url: string, init: { method?: string; body?: string; headers?: Record<string, string> }): Promise<RawReply> {
  const res = await request(url, {
    method: (init.method ?? 'POST') as 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...init.headers },
    body: init.body,
  });
  const text = await res.body.text();
  const contentType = String(res.headers['content-type'] ?? '');
  const reply: RawReply = { status: res.statusCode, headers: res.headers, messages: [], eventIds: [] };
  if (contentType.startsWith('text/event-stream')) {
    for (const event of new SseParser().push(text)) {
      if (event.id) reply.eventIds.push(event.id);
      if (event.data) reply.messages.push(JSON.parse(event.data));
    }
  } else if (text) {
    try {
      const json: unknown = JSON.parse(text);
      reply.messages = Array.isArray(json) ? json : [json];
    } catch {
      reply.messages = [text];
    }
  }
  return reply;
}

export const INITIALIZE_BODY = JSON.stringify({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

/** Opens a session with raw HTTP (initialize + initialized) and returns the session id the client got. */
export async function openRawSession(url: string, headers: Record<string, string>): Promise<string> {
  const init = await rawMcp(url, { body: INITIALIZE_BODY, headers });
  const sessionId = init.headers['mcp-session-id'];
  if (init.status !== 200 || typeof sessionId !== 'string') throw new Error(`initialize failed: ${init.status}`);
  const done = await rawMcp(url, {
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    headers: { ...headers, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' },
  });
  if (done.status !== 202) throw new Error(`initialized failed: ${done.status}`);
  return sessionId;
}

/** Polls `get` until `isDone` holds for its value (about 6 s at most); returns that value. */
export async function waitFor<T>(get: () => T | Promise<T>, isDone: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await get();
    if (isDone(value)) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}
