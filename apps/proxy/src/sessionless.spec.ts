import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { generateApiKey, type NewApiKey } from '@mcpg/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { rawMcp, startProxyHarness, type ProxyHarness } from './testing/proxy-harness.js';

/**
 * A server without sessions, as the 2026-07-28 revision has them (and as stateless servers of the
 * earlier revisions run): the official SDK server in stateless mode, one transport per request.
 * The proxy must neither invent nor require sessions, and forwards `Mcp-Method` / `Mcp-Name`
 * once they agree with the body.
 */
let upstream: Server;
let harness: ProxyHarness;
let key: NewApiKey;
let endpoint: string;
const seenHeaders: Array<Record<string, string | string[] | undefined>> = [];

beforeAll(async () => {
  upstream = createServer(async (req, res) => {
    seenHeaders.push(req.headers);
    const server = new McpServer({ name: 'stateless', version: '1.0.0' });
    server.registerTool('echo', { inputSchema: { message: z.string() } }, async ({ message }) => ({ content: [{ type: 'text', text: `stateless: ${message}` }] }));
    server.registerTool('secret', { inputSchema: {} }, async () => ({ content: [{ type: 'text', text: 'leak' }] }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => void transport.close());
    await server.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', () => resolve()));
  key = generateApiKey();
  harness = await startProxyHarness({
    tenant: { id: 'tenant-sl', slug: 'sl' },
    servers: [{ id: 'srv-sl', name: 'stateless', url: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/mcp` }],
    apiKeys: [{ id: 'key-1', name: 'k', prefix: key.prefix, hash: key.hash, revokedAt: null }],
    toolRules: [{ id: 'rule-1', apiKeyId: 'key-1', toolGlobs: ['echo'] }],
  });
  endpoint = `${harness.proxies[0]!.url}/t/sl/stateless/mcp`;
});

afterAll(async () => {
  await harness?.close();
  upstream?.closeAllConnections();
  upstream?.close();
});

describe('servers without sessions', () => {
  it('forwards sessionless requests with their Mcp-Method / Mcp-Name headers and adds no session', async () => {
    const headers = { authorization: `Bearer ${key.secret}`, 'mcp-protocol-version': '2025-11-25', 'mcp-method': 'tools/call', 'mcp-name': 'echo' };
    const body = JSON.stringify({ jsonrpc: '2.0', id: 'a', method: 'tools/call', params: { name: 'echo', arguments: { message: 'hi' } } });
    const reply = await rawMcp(endpoint, { body, headers });
    expect(reply.status).toBe(200);
    expect(reply.headers['mcp-session-id']).toBeUndefined();
    expect(reply.messages).toEqual([{ jsonrpc: '2.0', id: 'a', result: { content: [{ type: 'text', text: 'stateless: hi' }] } }]);
    expect(seenHeaders.at(-1)).toMatchObject({ 'mcp-method': 'tools/call', 'mcp-name': 'echo' });
    expect(seenHeaders.at(-1)!['mcp-session-id']).toBeUndefined();
  });

  it('filters the tool list and refuses a denied call without a session as with one', async () => {
    const headers = { authorization: `Bearer ${key.secret}`, 'mcp-protocol-version': '2025-11-25' };
    const list = await rawMcp(endpoint, { body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }), headers });
    expect((list.messages[0] as { result: { tools: Array<{ name: string }> } }).result.tools.map((t) => t.name)).toEqual(['echo']);
    const denied = await rawMcp(endpoint, { body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'secret' } }), headers });
    expect(denied.messages[0]).toMatchObject({ id: 2, error: { code: -32001 } });
  });
});
