import { generateApiKey, type NewApiKey } from '@mcpg/auth';
import type { TenantModel } from '@mcpg/policy';
import { startEverythingServer, startUpstreamTap, type RunningMcpServer, type UpstreamTap } from '@mcpg/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSdkClient, openRawSession, rawMcp, startProxyHarness, type ProxyHarness } from './testing/proxy-harness.js';

let everything: RunningMcpServer;
let tap: UpstreamTap;
let harness: ProxyHarness;
let key: NewApiKey;
let model: TenantModel;
let endpoint: string;
let sealed: string;

const headers = () => ({ authorization: `Bearer ${key.secret}`, 'mcp-session-id': sealed, 'mcp-protocol-version': '2025-11-25' });
const call = (id: number | string, method: string, params: Record<string, unknown>) => ({ jsonrpc: '2.0', id, method, params });
const upstreamSaw = (needle: string) => tap.requests.some((r) => r.body.includes(needle));

beforeAll(async () => {
  everything = await startEverythingServer();
  tap = await startUpstreamTap(everything.url);
  key = generateApiKey();
  model = {
    tenant: { id: 'tenant-acme', slug: 'acme' },
    servers: [{ id: 'srv-everything', name: 'everything', url: tap.url }],
    apiKeys: [{ id: 'key-dev', name: 'dev', prefix: key.prefix, hash: key.hash, revokedAt: null }],
    toolRules: [
      {
        id: 'rule-dev',
        apiKeyId: 'key-dev',
        toolGlobs: ['echo', 'get-sum'],
        resourceGlobs: ['demo://resource/static/*', 'demo://resource/dynamic/text/*'],
        promptGlobs: ['simple-prompt', 'completable-*'],
      },
    ],
    allowedOrigins: ['https://app.example.com'],
  };
  harness = await startProxyHarness(model);
  endpoint = `${harness.proxies[0]!.url}/t/acme/everything/mcp`;
  sealed = await openRawSession(endpoint, { authorization: `Bearer ${key.secret}` });
});

afterAll(async () => {
  await harness?.close();
  await tap?.close();
  await everything?.close();
});

describe('authorization beyond tools', () => {
  it('filters resource, template and prompt lists to what the key may use (SDK client)', async () => {
    const client = await connectSdkClient(endpoint, key.secret);
    const { resources } = await client.listResources();
    expect(resources.length).toBeGreaterThan(0);
    expect(resources.every((r) => r.uri.startsWith('demo://resource/static/'))).toBe(true);
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(['demo://resource/dynamic/text/{resourceId}']);
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(['completable-prompt', 'simple-prompt']);
    await client.close();
  });

  it('forwards allowed reads and prompts, answers denied ones with -32001 without the upstream seeing them, and audits each', async () => {
    const client = await connectSdkClient(endpoint, key.secret);
    const text = await client.readResource({ uri: 'demo://resource/dynamic/text/2' });
    expect(JSON.stringify(text)).toContain('Resource 2');
    expect((await client.getPrompt({ name: 'simple-prompt' })).messages.length).toBeGreaterThan(0);
    await expect(client.readResource({ uri: 'demo://resource/dynamic/blob/2' })).rejects.toMatchObject({ code: -32001 });
    await expect(client.subscribeResource({ uri: 'demo://resource/dynamic/blob/3' })).rejects.toMatchObject({ code: -32001 });
    await expect(client.getPrompt({ name: 'args-prompt', arguments: { city: 'x' } })).rejects.toMatchObject({ code: -32001 });
    await expect(client.complete({ ref: { type: 'ref/prompt', name: 'args-prompt' }, argument: { name: 'city', value: 'P' } })).rejects.toMatchObject({
      code: -32001,
    });
    expect((await client.complete({ ref: { type: 'ref/prompt', name: 'completable-prompt' }, argument: { name: 'department', value: 'E' } })).completion.values.length).toBeGreaterThan(0);
    await client.close();
    expect(upstreamSaw('demo://resource/dynamic/blob/2')).toBe(false);
    expect(upstreamSaw('demo://resource/dynamic/blob/3')).toBe(false);
    expect(upstreamSaw('"args-prompt"')).toBe(false);

    const events = await harness.auditEvents();
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'resource.denied', method: 'resources/read', tool: 'demo://resource/dynamic/blob/2', decision: 'deny' }),
        expect.objectContaining({ kind: 'resource.denied', method: 'resources/subscribe', tool: 'demo://resource/dynamic/blob/3' }),
        expect.objectContaining({ kind: 'prompt.denied', method: 'prompts/get', tool: 'args-prompt', reason: 'no_matching_rule' }),
        expect.objectContaining({ kind: 'prompt.denied', method: 'completion/complete', tool: 'args-prompt' }),
        expect.objectContaining({ kind: 'request', method: 'resources/read', tool: 'demo://resource/dynamic/text/2', decision: 'allow', ruleId: 'rule-dev' }),
      ]),
    );
  });

  it('authorizes a batch message by message: allowed ones forwarded, denied ones answered, string and numeric ids kept', async () => {
    const batch = [
      call(1, 'tools/call', { name: 'echo', arguments: { message: 'one' } }),
      call('two', 'tools/call', { name: 'get-env', arguments: {} }),
      call(3, 'resources/read', { uri: 'demo://resource/dynamic/blob/9' }),
      call('4', 'tools/call', { name: 'get-sum', arguments: { a: 2, b: 2 } }),
      { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'x', progress: 1 } },
    ];
    const reply = await rawMcp(endpoint, { body: JSON.stringify(batch), headers: headers() });
    expect(reply.status).toBe(200);
    const byId = new Map(reply.messages.map((m) => [(m as { id: unknown }).id, m]));
    expect(byId.get('two')).toMatchObject({ error: { code: -32001 } });
    expect(byId.get(3)).toMatchObject({ error: { code: -32001 } });
    expect(byId.get(1)).toMatchObject({ result: { content: [{ type: 'text', text: 'Echo: one' }] } });
    expect(byId.get('4')).toMatchObject({ result: { content: [{ text: expect.stringContaining('4') }] } });
    expect(upstreamSaw('get-env')).toBe(false);
    const events = await harness.auditEvents();
    expect(events.filter((e) => e.rpcId === 'two' && e.kind === 'tool.denied')).toHaveLength(1);
    expect(events.filter((e) => e.rpcId === 1 && e.kind === 'tool.call' && e.tool === 'echo')).toHaveLength(1);
  });

  it('answers a batch whose messages are all denied without contacting the upstream', async () => {
    const seen = tap.requests.length;
    const reply = await rawMcp(endpoint, {
      body: JSON.stringify([call(1, 'tools/call', { name: 'get-env', arguments: {} }), call(2, 'prompts/get', { name: 'args-prompt' })]),
      headers: headers(),
    });
    expect(reply.messages).toMatchObject([{ id: 1, error: { code: -32001 } }, { id: 2, error: { code: -32001 } }]);
    expect(tap.requests.length).toBe(seen);
  });
});

describe('Origin allow-list', () => {
  it('refuses a browser Origin not on the tenant list with 403, before authentication, and audits it', async () => {
    const reply = await rawMcp(endpoint, { body: JSON.stringify(call(1, 'ping', {})), headers: { ...headers(), origin: 'https://evil.example' } });
    expect(reply.status).toBe(403);
    expect(reply.messages[0]).toMatchObject({ error: { code: -32001, data: { reason: 'origin_not_allowed' } } });
    const anonymous = await rawMcp(endpoint, { body: JSON.stringify(call(1, 'ping', {})), headers: { origin: 'http://127.0.0.1:1234' } });
    expect(anonymous.status).toBe(403);
    const events = await harness.auditEvents();
    expect(events.some((e) => e.reason === 'origin_not_allowed' && e.status === 403)).toBe(true);
  });

  it('lets an allowed Origin and requests without Origin through', async () => {
    for (const extra of [{ origin: 'https://app.example.com' }, {}] as Array<Record<string, string>>) {
      const reply = await rawMcp(endpoint, { body: JSON.stringify(call(1, 'ping', {})), headers: { ...headers(), ...extra } });
      expect(reply.status).toBe(200);
      expect(reply.messages[0]).toMatchObject({ id: 1, result: {} });
    }
  });
});

describe('Mcp-Method / Mcp-Name headers (2026-07-28)', () => {
  it('forwards a request whose headers agree with the body', async () => {
    const body = JSON.stringify(call(1, 'tools/call', { name: 'echo', arguments: { message: 'hdr' } }));
    const reply = await rawMcp(endpoint, { body, headers: { ...headers(), 'mcp-method': 'tools/call', 'mcp-name': 'echo' } });
    expect(reply.status).toBe(200);
    expect(reply.messages[0]).toMatchObject({ result: { content: [{ text: 'Echo: hdr' }] } });
  });

  it('rejects with 400 a request whose headers name another method or target, and never forwards it', async () => {
    const seen = tap.requests.length;
    const cases: Array<[Record<string, string>, unknown, string]> = [
      [{ 'mcp-method': 'tools/call', 'mcp-name': 'echo' }, call(1, 'tools/call', { name: 'get-env', arguments: {} }), 'name_header_mismatch'],
      [{ 'mcp-method': 'tools/list' }, call(2, 'tools/call', { name: 'get-env', arguments: {} }), 'method_header_mismatch'],
      [{ 'mcp-name': 'demo://resource/static/document/a' }, call(3, 'resources/read', { uri: 'demo://resource/dynamic/blob/1' }), 'name_header_mismatch'],
      [{ 'mcp-method': 'tools/call' }, [call(4, 'tools/call', { name: 'echo', arguments: {} })], 'headers_on_batch'],
    ];
    for (const [extra, body, reason] of cases) {
      const reply = await rawMcp(endpoint, { body: JSON.stringify(body), headers: { ...headers(), ...extra } });
      expect(reply.status, reason).toBe(400);
      expect(reply.messages[0]).toMatchObject({ error: { code: -32600, data: { reason } } });
    }
    expect(tap.requests.length).toBe(seen);
  });
});
