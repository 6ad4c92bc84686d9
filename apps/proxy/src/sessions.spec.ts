import { generateApiKey, type NewApiKey } from '@mcpg/auth';
import { SseParser } from '@mcpg/mcp';
import type { TenantModel } from '@mcpg/policy';
import { startEverythingServer, startUpstreamTap, type RunningMcpServer, type UpstreamTap } from '@mcpg/testing';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningProxy } from './proxy-server.js';
import { connectSdkClient, openRawSession, rawMcp, startProxyHarness, type ProxyHarness } from './testing/proxy-harness.js';

let everything: RunningMcpServer;
let tap: UpstreamTap;
let harness: ProxyHarness;
let alice: NewApiKey;
let bob: NewApiKey;
let proxyA: RunningProxy;
let proxyB: RunningProxy;

const endpoint = (proxy: RunningProxy) => `${proxy.url}/t/acme/everything/mcp`;
const auth = (key: NewApiKey) => ({ authorization: `Bearer ${key.secret}` });
const session = (id: string) => ({ 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' });
const echo = (id: number, message: string) => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { message } } });

beforeAll(async () => {
  everything = await startEverythingServer();
  tap = await startUpstreamTap(everything.url);
  alice = generateApiKey();
  bob = generateApiKey();
  const model: TenantModel = {
    tenant: { id: 'tenant-acme', slug: 'acme' },
    servers: [{ id: 'srv-everything', name: 'everything', url: tap.url }],
    apiKeys: [
      { id: 'key-alice', name: 'alice', prefix: alice.prefix, hash: alice.hash, revokedAt: null },
      { id: 'key-bob', name: 'bob', prefix: bob.prefix, hash: bob.hash, revokedAt: null },
    ],
    toolRules: [
      { id: 'rule-alice', apiKeyId: 'key-alice', toolGlobs: ['*'] },
      { id: 'rule-bob', apiKeyId: 'key-bob', toolGlobs: ['*'] },
    ],
  };
  harness = await startProxyHarness(model);
  proxyA = harness.proxies[0]!;
  proxyB = await harness.startProxy();
});

afterAll(async () => {
  await harness?.close();
  await tap?.close();
  await everything?.close();
});

describe('sealed sessions', () => {
  it('hands the client a sealed id; the upstream session id never reaches the client', async () => {
    const client = await connectSdkClient(endpoint(proxyA), alice.secret);
    const sealed = (client.transport as { sessionId?: string }).sessionId!;
    await client.listTools();
    const upstreamIds = new Set(tap.requests.map((r) => r.headers['mcp-session-id']).filter((v): v is string => typeof v === 'string'));
    expect(sealed).toMatch(/^s1\.k1\./);
    expect(upstreamIds.size).toBeGreaterThan(0);
    for (const id of upstreamIds) expect(sealed).not.toContain(id);
    await client.close();
  });

  it('keeps a session opened through one replica working through another', async () => {
    const sealed = await openRawSession(endpoint(proxyA), auth(alice));
    const reply = await rawMcp(endpoint(proxyB), { body: echo(1, 'via B'), headers: { ...auth(alice), ...session(sealed) } });
    expect(reply.status).toBe(200);
    expect(reply.messages).toEqual([{ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'Echo: via B' }] } }]);
    expect(reply.headers['mcp-session-id'] ?? sealed).toBe(sealed);
  });

  it('answers 404 to another principal presenting the session id, without contacting the upstream', async () => {
    const sealed = await openRawSession(endpoint(proxyA), auth(alice));
    const seen = tap.requests.length;
    const reply = await rawMcp(endpoint(proxyB), { body: echo(2, 'hijack'), headers: { ...auth(bob), ...session(sealed) } });
    expect(reply.status).toBe(404);
    expect(reply.messages[0]).toMatchObject({ jsonrpc: '2.0', error: { code: -32005 } });
    expect(tap.requests.length).toBe(seen);
    const events = await harness.auditEvents();
    expect(events.some((e) => e.reason === 'session_not_found' && e.principal?.keyId === 'key-bob' && e.status === 404)).toBe(true);
  });

  it('answers 404 to a tampered or made-up session id', async () => {
    const sealed = await openRawSession(endpoint(proxyA), auth(alice));
    const last = sealed.at(-2) === 'A' ? 'B' : 'A';
    for (const forged of [sealed.slice(0, -2) + last + sealed.at(-1), 'not-a-session', 's1.k1.AAAA']) {
      const reply = await rawMcp(endpoint(proxyA), { body: echo(3, 'x'), headers: { ...auth(alice), ...session(forged) } });
      expect(reply.status, forged).toBe(404);
    }
  });

  it('passes DELETE through to end the session at the upstream', async () => {
    const sealed = await openRawSession(endpoint(proxyA), auth(alice));
    const deleted = await rawMcp(endpoint(proxyB), { method: 'DELETE', headers: { ...auth(alice), ...session(sealed) } });
    expect(deleted.status).toBe(200);
    const after = await rawMcp(endpoint(proxyA), { body: echo(4, 'gone'), headers: { ...auth(alice), ...session(sealed) } });
    expect(after.status).toBeGreaterThanOrEqual(400);
  });

  it('resumes an interrupted response stream on another replica with Last-Event-ID, keeping event ids', async () => {
    const sealed = await openRawSession(endpoint(proxyA), auth(alice));
    const call = JSON.stringify({
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'trigger-long-running-operation', arguments: { duration: 0.6, steps: 3 }, _meta: { progressToken: 'p7' } },
    });
    const res = await request(endpoint(proxyA), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...auth(alice), ...session(sealed) },
      body: call,
    });
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    // Read up to the first event with an id, then drop the connection.
    const parser = new SseParser();
    let firstId: string | undefined;
    for await (const chunk of res.body) {
      firstId = parser.push(chunk.toString()).find((e) => e.id)?.id;
      if (firstId) break;
    }
    res.body.destroy();
    expect(firstId).toBeTruthy();
    await new Promise((r) => setTimeout(r, 800));

    const resumed = await request(endpoint(proxyB), {
      method: 'GET',
      headers: { accept: 'text/event-stream', 'last-event-id': firstId!, ...auth(alice), ...session(sealed) },
    });
    expect(resumed.statusCode).toBe(200);
    const replay = new SseParser();
    const events: Array<{ id?: string; data?: string }> = [];
    for await (const chunk of resumed.body) {
      events.push(...replay.push(chunk.toString()));
      if (events.some((e) => e.data?.includes('"id":7'))) break;
    }
    resumed.body.destroy();
    const messages = events.filter((e) => e.data).map((e) => JSON.parse(e.data!) as { id?: number; method?: string });
    expect(messages.filter((m) => m.method === 'notifications/progress').length).toBeGreaterThanOrEqual(1);
    expect(messages.at(-1)).toMatchObject({ id: 7, result: { content: expect.any(Array) } });
    expect(events.every((e) => !e.data || (e.id && e.id !== firstId))).toBe(true);
  });
});
