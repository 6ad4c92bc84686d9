import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { generateApiKey, type NewApiKey } from '@mcpg/auth';
import type { TenantModel } from '@mcpg/policy';
import { startEverythingServer, startUpstreamTap, type RunningMcpServer, type UpstreamTap } from '@mcpg/testing';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SseParser } from '@mcpg/mcp';
import { rawMcp, startProxyHarness, waitFor, type ProxyHarness } from './testing/proxy-harness.js';

let everything: RunningMcpServer;
let tap: UpstreamTap;
let harness: ProxyHarness;
let dev: NewApiKey;
let other: NewApiKey;
let base: string;

/** The official SDK's legacy SSE client, with sampling so the server can send it requests. */
async function connect(url: string, secret?: string): Promise<{ client: Client; transport: SSEClientTransport }> {
  const client = new Client({ name: 'legacy-test', version: '1.0.0' }, { capabilities: { sampling: {} } });
  client.setRequestHandler(CreateMessageRequestSchema, async () => ({ model: 'm', role: 'assistant', content: { type: 'text', text: 'sampled over legacy SSE' } }));
  const headers = secret ? { authorization: `Bearer ${secret}` } : undefined;
  const transport = new SSEClientTransport(new URL(url), {
    requestInit: headers ? { headers } : {},
    eventSourceInit: { fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } }) },
  });
  await client.connect(transport);
  return { client, transport };
}

beforeAll(async () => {
  everything = await startEverythingServer('sse');
  tap = await startUpstreamTap(everything.url);
  dev = generateApiKey();
  other = generateApiKey();
  const model: TenantModel = {
    tenant: { id: 'tenant-legacy', slug: 'legacy' },
    servers: [{ id: 'srv-sse', name: 'everything', url: tap.url, transport: 'sse' }],
    apiKeys: [
      { id: 'key-dev', name: 'dev', prefix: dev.prefix, hash: dev.hash, revokedAt: null },
      { id: 'key-other', name: 'other', prefix: other.prefix, hash: other.hash, revokedAt: null },
    ],
    toolRules: [
      { id: 'rule-dev', apiKeyId: 'key-dev', toolGlobs: ['echo', 'get-sum', 'trigger-sampling-request'], promptGlobs: ['simple-prompt'] },
      { id: 'rule-other', apiKeyId: 'key-other', toolGlobs: ['*'] },
    ],
  };
  harness = await startProxyHarness(model);
  base = `${harness.proxies[0]!.url}/t/legacy/everything`;
});

afterAll(async () => {
  await harness?.close();
  await tap?.close();
  await everything?.close();
});

describe('legacy HTTP+SSE transport', () => {
  it('serves the official legacy SSE client: same results as directly, lists filtered, server requests relayed', async () => {
    const results = [];
    for (const [url, secret] of [[everything.url, undefined], [`${base}/sse`, dev.secret]] as const) {
      const { client } = await connect(url, secret);
      results.push({
        echo: await client.callTool({ name: 'echo', arguments: { message: 'legacy' } }),
        sum: await client.callTool({ name: 'get-sum', arguments: { a: 20, b: 22 } }),
        sampling: await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'p', maxTokens: 5 } }),
        prompt: await client.getPrompt({ name: 'simple-prompt' }),
        tools: (await client.listTools()).tools.map((t) => t.name),
        prompts: (await client.listPrompts()).prompts.map((p) => p.name),
      });
      await client.close();
    }
    const [direct, proxied] = results;
    expect(JSON.stringify(proxied!.sampling)).toContain('sampled over legacy SSE');
    expect({ ...proxied, tools: undefined, prompts: undefined }).toEqual({ ...direct, tools: undefined, prompts: undefined });
    expect(proxied!.tools.sort()).toEqual(['echo', 'get-sum', 'trigger-sampling-request']);
    expect(proxied!.prompts).toEqual(['simple-prompt']);
  });

  it('hands out its own messages endpoint with a sealed session id, never the upstream one', async () => {
    const res = await request(`${base}/sse`, { headers: { authorization: `Bearer ${dev.secret}`, accept: 'text/event-stream' } });
    let text = '';
    for await (const chunk of res.body) {
      text += chunk.toString();
      if (text.includes('\n\n')) break;
    }
    res.body.destroy();
    expect(text).toMatch(/^event: endpoint\ndata: \/t\/legacy\/everything\/messages\?sessionId=s1\.k1\.[A-Za-z0-9_-]+\n\n/);
    const upstreamSessionIds = tap.requests.map((r) => /sessionId=([^&]+)/.exec(r.url)?.[1]).filter(Boolean);
    expect(upstreamSessionIds.length).toBeGreaterThan(0);
    for (const id of upstreamSessionIds) expect(text).not.toContain(id);
  });

  it('answers a denied call on the stream with -32001; the upstream never sees it', async () => {
    const { client } = await connect(`${base}/sse`, dev.secret);
    await expect(client.callTool({ name: 'get-env', arguments: {} })).rejects.toMatchObject({ code: -32001 });
    await expect(client.getPrompt({ name: 'args-prompt', arguments: { city: 'x' } })).rejects.toMatchObject({ code: -32001 });
    expect(tap.calledTools()).not.toContain('get-env');
    await client.close();
  });

  it('refuses another principal posting with the session id (404), and unauthenticated streams (401)', async () => {
    const { client, transport } = await connect(`${base}/sse`, dev.secret);
    const endpoint = (transport as unknown as { _endpoint: URL })._endpoint;
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x' } } });
    const hijack = await rawMcp(endpoint.href, { body, headers: { authorization: `Bearer ${other.secret}` } });
    expect(hijack.status).toBe(404);
    expect((await rawMcp(`${base}/sse`, { method: 'GET' })).status).toBe(401);
    expect((await rawMcp(`${base}/mcp`, { body, headers: { authorization: `Bearer ${dev.secret}` } })).status).toBe(404);
    await client.close();
  });

  it('puts the answer to a denied message on the stream even when the POST reaches another replica', async () => {
    const other = await harness.startProxy();
    const stream = await request(`${base}/sse`, { headers: { authorization: `Bearer ${dev.secret}`, accept: 'text/event-stream' } });
    const parser = new SseParser();
    const events: Array<{ event?: string; data?: string }> = [];
    const reader = (async () => {
      for await (const chunk of stream.body) {
        events.push(...parser.push(chunk.toString()));
        if (events.some((e) => e.data?.includes('"id":99'))) break;
      }
    })();
    await waitFor(() => events.find((e) => e.event === 'endpoint'), Boolean, 'the endpoint event');
    const endpoint = events.find((e) => e.event === 'endpoint')!.data!;
    const body = JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'tools/call', params: { name: 'get-env', arguments: {} } });
    const posted = await rawMcp(`${other.url}${endpoint}`, { body, headers: { authorization: `Bearer ${dev.secret}` } });
    expect(posted.status).toBe(202);
    await reader;
    stream.body.destroy();
    const answer = events.find((e) => e.data?.includes('"id":99'))!;
    expect(JSON.parse(answer.data!)).toMatchObject({ jsonrpc: '2.0', id: 99, error: { code: -32001 } });
  });
});
