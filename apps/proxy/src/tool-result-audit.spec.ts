import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { AuditEvent } from '@mcpg/audit';
import { generateApiKey } from '@mcpg/auth';
import type { TenantModel } from '@mcpg/policy';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSdkClient, startProxyHarness, waitFor, type ProxyHarness } from './testing/proxy-harness.js';

// Tool results in audit events (issue 5), opt-in per tenant: redacted like the arguments before
// they enter the event, cut to the tenant's cap, for JSON, SSE (secret split across chunks) and
// stdio replies; the client's reply is left as the upstream sent it.
const GITHUB_TOKEN = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a';
const PASSWORD = 'hunter2-in-a-result';
const CAP = 300;
const key = generateApiKey();
const everythingEntry = createRequire(import.meta.url).resolve('@modelcontextprotocol/server-everything/dist/index.js');

interface RpcRequest {
  jsonrpc: '2.0';
  id: number;
  method: string;
  params: { name: string };
}

/** What the fake tools return, by name. */
function replyTo(message: RpcRequest): unknown {
  const result = (r: unknown) => ({ jsonrpc: '2.0', id: message.id, result: r });
  switch (message.params.name) {
    case 'leak':
      return result({
        content: [{ type: 'text', text: `visible-part deploy key ${GITHUB_TOKEN}` }],
        structuredContent: { password: PASSWORD, note: 'visible-structured' },
      });
    case 'big':
      return result({ content: [{ type: 'text', text: `${'x'.repeat(5000)} ${GITHUB_TOKEN}` }] });
    case 'fail':
      return result({ content: [{ type: 'text', text: 'the tool failed' }], isError: true });
    default:
      return { jsonrpc: '2.0', id: message.id, error: { code: -32602, message: 'Unknown tool' } };
  }
}

/**
 * `/json` answers with a JSON body written with odd spacing (so a re-serialization would show);
 * `/sse` answers with one SSE event per reply, each cut in the middle of the token between two writes.
 */
async function startToolUpstream(): Promise<{ url: string; close(): void }> {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const parsed = JSON.parse(body) as RpcRequest | RpcRequest[];
      const replies = (Array.isArray(parsed) ? parsed : [parsed]).map(replyTo);
      if (req.url === '/json') {
        const text = JSON.stringify(Array.isArray(parsed) ? replies : replies[0], null, 1);
        res.writeHead(200, { 'content-type': 'application/json' }).end(text);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const frames = replies.map((reply) => `event: message\ndata: ${JSON.stringify(reply)}\n\n`).join('');
      const cut = frames.includes(GITHUB_TOKEN) ? frames.indexOf(GITHUB_TOKEN) + 10 : frames.length >> 1;
      res.write(frames.slice(0, cut));
      setTimeout(() => res.end(frames.slice(cut)), 30);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

function modelWith(upstream: string, auditToolResults: 'on' | 'off'): TenantModel {
  return {
    tenant: { id: 'tenant-results', slug: 'results' },
    servers: [
      { id: 's-json', name: 'json', url: `${upstream}/json` },
      { id: 's-sse', name: 'sse', url: `${upstream}/sse` },
      { id: 's-stdio', name: 'stdio', url: 'stdio:everything', transport: 'stdio', stdio: { command: process.execPath, args: [everythingEntry, 'stdio'], env: {} } },
    ],
    apiKeys: [{ id: 'key-1', name: 'k', prefix: key.prefix, hash: key.hash, revokedAt: null }],
    toolRules: [{ id: 'rule-1', apiKeyId: 'key-1', toolGlobs: ['leak', 'big', 'fail', 'rpc-error', 'echo'] }],
    redaction: { customPatterns: [], redactResponses: false, argumentValues: 'redact', auditToolResults, auditToolResultMaxBytes: CAP },
  };
}

let harness: ProxyHarness;
let upstream: { url: string; close(): void };
let proxyUrl: string;

beforeAll(async () => {
  upstream = await startToolUpstream();
  harness = await startProxyHarness(modelWith(upstream.url, 'on'), { MCPG_ALLOW_STDIO_UPSTREAMS: 'true' });
  proxyUrl = harness.proxies[0]!.url;
});

afterAll(async () => {
  await harness?.close();
  upstream?.close();
});

let nextId = 100;
async function callTools(server: 'json' | 'sse', tools: string[]): Promise<{ ids: number[]; body: string }> {
  const messages = tools.map((name) => ({ jsonrpc: '2.0', id: nextId++, method: 'tools/call', params: { name, arguments: { q: 'x' } } }));
  const res = await request(`${proxyUrl}/t/results/${server}/mcp`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify(messages.length === 1 ? messages[0] : messages),
  });
  expect(res.statusCode).toBe(200);
  return { ids: messages.map((m) => m.id), body: await res.body.text() };
}

/** The tool.call and tool.result events of one JSON-RPC id, once the result event is queued. */
async function eventsOf(id: number): Promise<{ call: AuditEvent; result: AuditEvent }> {
  const events = await waitFor(harness.auditEvents, (all) => all.some((e) => e.rpcId === id && e.kind === 'tool.result'), `tool.result of ${id}`);
  const call = events.find((e) => e.rpcId === id && e.kind === 'tool.call')!;
  const result = events.find((e) => e.rpcId === id && e.kind === 'tool.result')!;
  return { call, result };
}

describe('tool results in audit events', () => {
  it('records a JSON reply redacted, correlated to its tool.call event, and leaves the reply to the client byte-for-byte', async () => {
    const { ids, body } = await callTools('json', ['leak']);
    // The upstream's own formatting, secret included: response redaction is a separate setting (off here).
    expect(body).toBe(JSON.stringify(replyTo({ jsonrpc: '2.0', id: ids[0]!, method: 'tools/call', params: { name: 'leak' } }), null, 1));
    const { call, result } = await eventsOf(ids[0]!);
    expect(result).toMatchObject({
      kind: 'tool.result',
      decision: 'allow',
      tool: 'leak',
      method: 'tools/call',
      server: 'json',
      tenantId: 'tenant-results',
      callEventId: call.id,
      traceId: call.traceId,
      redactedCount: 2,
      result: {
        isError: false,
        content: [{ type: 'text', text: 'visible-part deploy key [REDACTED:github_token]' }],
        structuredContent: { password: '[REDACTED:sensitive_field]', note: 'visible-structured' },
        truncated: false,
      },
    });
    expect(call.result).toBeUndefined();
    expect(JSON.stringify(await harness.auditEvents())).not.toMatch(new RegExp(`${GITHUB_TOKEN}|${PASSWORD}`));
  });

  it('records each result of a batch against its own call', async () => {
    const { ids } = await callTools('json', ['fail', 'leak']);
    const fail = await eventsOf(ids[0]!);
    const leak = await eventsOf(ids[1]!);
    expect(fail.result).toMatchObject({ tool: 'fail', callEventId: fail.call.id, result: { isError: true, content: [{ type: 'text', text: 'the tool failed' }] } });
    expect(leak.result).toMatchObject({ tool: 'leak', callEventId: leak.call.id, redactedCount: 2 });
  });

  it('reassembles an SSE reply whose secret is split across two chunks before redacting it', async () => {
    const { ids, body } = await callTools('sse', ['leak']);
    expect(body).toContain(GITHUB_TOKEN);
    const { call, result } = await eventsOf(ids[0]!);
    expect(result).toMatchObject({ callEventId: call.id, redactedCount: 2, result: { content: [{ type: 'text', text: 'visible-part deploy key [REDACTED:github_token]' }] } });
  });

  it('cuts a long result to the cap, flags it, and never keeps part of the secret', async () => {
    const { ids } = await callTools('sse', ['big']);
    const { result } = await eventsOf(ids[0]!);
    const text = result.result!.content[0]!.text!;
    expect(result.result!.truncated).toBe(true);
    expect(Buffer.byteLength(text)).toBe(CAP);
    expect(text).toBe('x'.repeat(CAP));
  });

  it('records no result for a JSON-RPC error reply', async () => {
    const { ids } = await callTools('json', ['rpc-error', 'leak']);
    await eventsOf(ids[1]!);
    const events = await harness.auditEvents();
    expect(events.filter((e) => e.rpcId === ids[0] && e.kind === 'tool.call')).toHaveLength(1);
    expect(events.filter((e) => e.rpcId === ids[0] && e.kind === 'tool.result')).toHaveLength(0);
  });

  it('records results coming back from a stdio upstream', async () => {
    const client = await connectSdkClient(`${proxyUrl}/t/results/stdio/mcp`, key.secret);
    const reply = await client.callTool({ name: 'echo', arguments: { message: `stdio says ${GITHUB_TOKEN} and more` } });
    await client.close();
    expect(JSON.stringify(reply)).toContain(GITHUB_TOKEN);
    const events = await waitFor(harness.auditEvents, (all) => all.some((e) => e.kind === 'tool.result' && e.server === 'stdio'), 'stdio tool.result');
    const result = events.find((e) => e.kind === 'tool.result' && e.server === 'stdio')!;
    const call = events.find((e) => e.id === result.callEventId)!;
    expect(call).toMatchObject({ kind: 'tool.call', tool: 'echo', server: 'stdio', rpcId: result.rpcId });
    expect(result.result!.content).toEqual([{ type: 'text', text: 'Echo: stdio says [REDACTED:github_token] and more' }]);
  });

  it('records no result once the tenant turns it off', async () => {
    await harness.publish(modelWith(upstream.url, 'off'));
    const { ids } = await callTools('sse', ['leak']);
    const events = await waitFor(harness.auditEvents, (all) => all.some((e) => e.rpcId === ids[0] && e.kind === 'tool.call'), 'tool.call');
    expect(events.filter((e) => e.rpcId === ids[0] && e.kind === 'tool.result')).toHaveLength(0);
    await harness.publish(modelWith(upstream.url, 'on'));
  });
});
