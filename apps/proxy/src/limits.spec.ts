import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateApiKey, type NewApiKey } from '@mcpg/auth';
import type { TenantModel } from '@mcpg/policy';
import { freePort, startEverythingServer, type RunningMcpServer } from '@mcpg/testing';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawMcp, startProxyHarness, type ProxyHarness } from './testing/proxy-harness.js';

/**
 * Per-tenant limits and upstream failure handling. Besides the reference server, the tenant has
 * an upstream that is down (a closed port), one that accepts but never answers, and one that
 * opens an SSE stream and then falls silent.
 */
let everything: RunningMcpServer;
let harness: ProxyHarness;
let key: NewApiKey;
let silent: Server;
let base: string;

const ping = (id: number) => JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' });
const auth = () => ({ authorization: `Bearer ${key.secret}` });

async function listen(handler: Parameters<typeof createServer>[1]): Promise<Server> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return server;
}
const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;

beforeAll(async () => {
  everything = await startEverythingServer();
  key = generateApiKey();
  // Answers nothing on /hang; on /quiet sends SSE headers and one comment, then silence.
  silent = await listen((req, res) => {
    if (req.url === '/quiet') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': open\n\n');
    }
  });
  const model: TenantModel = {
    tenant: { id: 'tenant-lim', slug: 'lim' },
    servers: [
      { id: 'srv-everything', name: 'everything', url: everything.url },
      { id: 'srv-down', name: 'down', url: `http://127.0.0.1:${await freePort()}/mcp` },
      { id: 'srv-hang', name: 'hang', url: urlOf(silent).replace('/mcp', '/hang') },
      { id: 'srv-quiet', name: 'quiet', url: urlOf(silent).replace('/mcp', '/quiet') },
    ],
    apiKeys: [{ id: 'key-1', name: 'k', prefix: key.prefix, hash: key.hash, revokedAt: null }],
    toolRules: [{ id: 'rule-1', apiKeyId: 'key-1', toolGlobs: ['*'] }],
    limits: { maxJsonDepth: 6, maxBatchLength: 2, maxBodyBytes: 4096, maxHeaderBytes: 2048, upstreamResponseTimeoutMs: 300, sseIdleTimeoutMs: 300 },
  };
  harness = await startProxyHarness(model, { MCPG_CIRCUIT_FAILURE_THRESHOLD: '3', MCPG_CIRCUIT_OPEN_MS: '60000' });
  base = `${harness.proxies[0]!.url}/t/lim`;
});

afterAll(async () => {
  await harness?.close();
  silent?.closeAllConnections();
  silent?.close();
  await everything?.close();
});

describe('per-tenant request limits', () => {
  it('refuses each breach with a clear JSON-RPC error and status, and audits it', async () => {
    const deep = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { a: [[[[[['x']]]]]] } } });
    const cases: Array<[string, { body?: string; headers?: Record<string, string> }, number, string]> = [
      ['json_too_deep', { body: deep }, 400, 'nested deeper than 6'],
      ['batch', { body: JSON.stringify([JSON.parse(ping(1)), JSON.parse(ping(2)), JSON.parse(ping(3))]) }, 400, 'batch longer than 2'],
      ['body_too_large', { body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(5000) } }) }, 413, 'larger than 4096'],
      ['headers_too_large', { body: ping(1), headers: { 'x-padding': 'y'.repeat(3000) } }, 431, 'headers larger than 2048'],
    ];
    for (const [what, init, status, message] of cases) {
      const reply = await rawMcp(`${base}/everything/mcp`, { body: init.body, headers: { ...auth(), ...init.headers } });
      expect(reply.status, what).toBe(status);
      expect(reply.messages[0], what).toMatchObject({ jsonrpc: '2.0', error: { code: -32600, message: expect.stringContaining(message) } });
    }
    const events = await harness.auditEvents();
    for (const reason of ['json_too_deep', 'batch_too_long', 'body_too_large', 'headers_too_large'])
      expect(events.some((e) => e.kind === 'request.invalid' && e.reason === reason), reason).toBe(true);
  });

  it('forwards what is within the limits', async () => {
    const reply = await rawMcp(`${base}/everything/mcp`, {
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
      headers: auth(),
    });
    expect(reply.status).toBe(200);
    expect(reply.messages[0]).toMatchObject({ id: 9, result: { serverInfo: expect.any(Object) } });
  });
});

describe('upstream failures', () => {
  it('answers 504 with a JSON-RPC error carrying the request id when the upstream does not answer in time', async () => {
    const reply = await rawMcp(`${base}/hang/mcp`, { body: ping(41), headers: auth() });
    expect(reply.status).toBe(504);
    expect(reply.messages[0]).toEqual({ jsonrpc: '2.0', id: 41, error: { code: -32003, message: 'Upstream MCP server timed out' } });
  });

  it('answers 502 while an upstream is down, then opens its circuit (503 + Retry-After) without touching other servers', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await rawMcp(`${base}/down/mcp`, { body: ping(i), headers: auth() })).status);
    expect(statuses).toEqual([502, 502, 502]);
    const open = await rawMcp(`${base}/down/mcp`, { body: ping(7), headers: auth() });
    expect(open.status).toBe(503);
    expect(Number(open.headers['retry-after'])).toBeGreaterThan(0);
    expect(open.messages[0]).toMatchObject({ id: 7, error: { code: -32003 } });
    const other = await rawMcp(`${base}/everything/mcp`, { body: ping(8), headers: auth() });
    expect(other.status).not.toBe(503);
    const events = await harness.auditEvents();
    expect(events.some((e) => e.kind === 'upstream.error' && e.reason === 'circuit_open' && e.status === 503)).toBe(true);
    expect(events.some((e) => e.kind === 'upstream.error' && e.reason?.startsWith('upstream_unreachable'))).toBe(true);
  });

  it('ends an SSE stream that stays idle past the limit, cleanly, and audits it', async () => {
    const res = await request(`${base}/quiet/mcp`, { method: 'GET', headers: { ...auth(), accept: 'text/event-stream' } });
    expect(res.statusCode).toBe(200);
    const text = await res.body.text(); // returns only because the proxy ends the stream
    expect(text).toContain(': open');
    const events = await harness.auditEvents();
    expect(events.some((e) => e.kind === 'upstream.error' && e.reason === 'sse_idle_timeout')).toBe(true);
  });

  it('answers an unknown server of a known tenant with 404 JSON', async () => {
    const reply = await rawMcp(`${base}/nope/mcp`, { body: ping(1), headers: auth() });
    expect(reply.status).toBe(404);
    expect(reply.messages[0]).toMatchObject({ error: { code: -32005 } });
  });
});
