import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { generateApiKey, type NewApiKey } from '@mcpg/auth';
import { createLogger } from '@mcpg/observability';
import type { TenantModel } from '@mcpg/policy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningProxy } from './proxy-server.js';
import { connectSdkClient, INITIALIZE_BODY, rawMcp, startProxyHarness, waitFor, type ProxyHarness } from './testing/proxy-harness.js';

/**
 * The reference server over stdio, spawned by the proxy per session. A small wrapper records the
 * child's pid in a file so the test can kill exactly that process and watch it come back.
 */
const entry = createRequire(import.meta.url).resolve('@modelcontextprotocol/server-everything/dist/index.js');
const WRAPPER = `import { writeFileSync, appendFileSync } from 'node:fs';
if (process.env.PID_FILE) appendFileSync(process.env.PID_FILE, process.pid + '\\n');
process.argv.push('stdio');
await import(${JSON.stringify(entry)});`;

let harness: ProxyHarness;
let key: NewApiKey;
let pidDir: string;
let pidFile: string;
let proxy: RunningProxy;
let limited: RunningProxy;
const logLines: string[] = [];

const endpointOf = (p: RunningProxy) => `${p.url}/t/local/everything/mcp`;
const pids = () => (existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim().split('\n').filter(Boolean).map(Number) : []);
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function withSampling(client: Client): void {
  client.setRequestHandler(CreateMessageRequestSchema, async () => ({ model: 'm', role: 'assistant', content: { type: 'text', text: 'sampled over stdio' } }));
}

beforeAll(async () => {
  key = generateApiKey();
  pidDir = mkdtempSync(join(tmpdir(), 'mcpg-stdio-'));
  pidFile = join(pidDir, 'pids');
  const model: TenantModel = {
    tenant: { id: 'tenant-local', slug: 'local' },
    servers: [
      {
        id: 'srv-stdio',
        name: 'everything',
        url: 'stdio:everything',
        transport: 'stdio',
        stdio: { command: process.execPath, args: ['--input-type=module', '-e', WRAPPER], env: { PID_FILE: pidFile }, cwd: pidDir },
      },
    ],
    apiKeys: [{ id: 'key-1', name: 'k', prefix: key.prefix, hash: key.hash, revokedAt: null }],
    toolRules: [{ id: 'rule-1', apiKeyId: 'key-1', toolGlobs: ['echo', 'get-sum', 'trigger-sampling-request', 'trigger-long-running-operation'], promptGlobs: ['*'], resourceGlobs: ['*'] }],
  };
  harness = await startProxyHarness(model, { MCPG_ALLOW_STDIO_UPSTREAMS: 'true' });
  proxy = await harness.startProxy({}, createLogger({ app: 'proxy' }, 'info', (line) => void logLines.push(line)));
  limited = await harness.startProxy({ MCPG_STDIO_MAX_SESSIONS: '1', MCPG_STDIO_IDLE_TIMEOUT_MS: '1500' });
});

afterAll(async () => {
  await harness?.close();
  if (pidDir) rmSync(pidDir, { recursive: true, force: true });
});

describe('stdio upstreams', () => {
  it('serves the official SDK client as the server does over stdio directly: same results, lists filtered, server requests relayed', async () => {
    const direct = new Client({ name: 'direct', version: '1' }, { capabilities: { sampling: {} } });
    withSampling(direct);
    await direct.connect(new StdioClientTransport({ command: process.execPath, args: [entry, 'stdio'], stderr: 'ignore' }));
    const proxied = await connectSdkClient(endpointOf(proxy), key.secret, { capabilities: { sampling: {} } }, withSampling);
    const run = async (client: Client) => {
      const progress: unknown[] = [];
      return {
        echo: await client.callTool({ name: 'echo', arguments: { message: 'over stdio' } }),
        sum: await client.callTool({ name: 'get-sum', arguments: { a: 1, b: 41 } }),
        sampling: await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'p', maxTokens: 5 } }),
        progress: await client
          .callTool({ name: 'trigger-long-running-operation', arguments: { duration: 0.2, steps: 2 } }, undefined, { onprogress: (p) => void progress.push(p) })
          .then((r) => ({ r, progress })),
        prompt: await client.getPrompt({ name: 'simple-prompt' }),
        templates: (await client.listResourceTemplates()).resourceTemplates,
      };
    };
    const results = [await run(direct), await run(proxied)];
    await direct.close();
    expect(JSON.stringify(results[1]!.sampling)).toContain('sampled over stdio');
    // The SDK client may drop the last progress notification when the result arrives right after
    // it (seen directly too), so compare progress as "a prefix of the steps", and the rest exactly.
    for (const { progress } of results.map((r) => r.progress)) {
      expect(progress.length).toBeGreaterThanOrEqual(1);
      expect(progress).toEqual([{ progress: 1, total: 2 }, { progress: 2, total: 2 }].slice(0, progress.length));
    }
    const withoutProgress = (r: (typeof results)[number]) => ({ ...r, progress: r.progress.r });
    expect(withoutProgress(results[1]!)).toEqual(withoutProgress(results[0]!));
    expect((await proxied.listTools()).tools.map((t) => t.name).sort()).toEqual(['echo', 'get-sum', 'trigger-long-running-operation', 'trigger-sampling-request']);
    await expect(proxied.callTool({ name: 'get-env', arguments: {} })).rejects.toMatchObject({ code: -32001 });
    await proxied.close();
    expect(logLines.some((l) => l.includes('stdio upstream stderr') && l.includes('Starting default (STDIO) server'))).toBe(true);
  });

  it('restarts a crashed process and re-initializes it, so the session goes on', async () => {
    const client = await connectSdkClient(endpointOf(proxy), key.secret);
    await client.callTool({ name: 'echo', arguments: { message: 'before' } });
    const before = pids();
    const victim = before.at(-1)!;
    process.kill(victim, 'SIGKILL');
    await waitFor(() => pids().length > before.length, Boolean, 'restart');
    await waitFor(() => !isAlive(victim), Boolean, 'the old process to be gone');
    const after = await client.callTool({ name: 'echo', arguments: { message: 'after restart' } });
    expect(after.content).toEqual([{ type: 'text', text: 'Echo: after restart' }]);
    await client.close();
  });

  it('caps sessions per server, ends idle sessions and their processes, and ends sessions on DELETE', async () => {
    const headers = { authorization: `Bearer ${key.secret}` };
    const first = await rawMcp(endpointOf(limited), { body: INITIALIZE_BODY, headers });
    expect(first.status).toBe(200);
    const sessionId = first.headers['mcp-session-id'] as string;
    const pid = pids().at(-1)!;
    const second = await rawMcp(endpointOf(limited), { body: INITIALIZE_BODY, headers });
    expect(second.status).toBe(503);

    await waitFor(() => !isAlive(pid), Boolean, 'the idle process to be stopped');
    const late = await rawMcp(endpointOf(limited), { body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }), headers: { ...headers, 'mcp-session-id': sessionId } });
    expect(late.status).toBe(404);

    const third = await rawMcp(endpointOf(limited), { body: INITIALIZE_BODY, headers });
    expect(third.status).toBe(200);
    const thirdPid = pids().at(-1)!;
    const deleted = await rawMcp(endpointOf(limited), { method: 'DELETE', headers: { ...headers, 'mcp-session-id': third.headers['mcp-session-id'] as string } });
    expect(deleted.status).toBe(200);
    await waitFor(() => !isAlive(thirdPid), Boolean, 'the deleted session process to be stopped');
  });

  it('refuses stdio servers on a proxy that does not allow them', async () => {
    const locked = await harness.startProxy({ MCPG_ALLOW_STDIO_UPSTREAMS: 'false' });
    const reply = await rawMcp(endpointOf(locked), { body: INITIALIZE_BODY, headers: { authorization: `Bearer ${key.secret}` } });
    expect(reply.status).toBe(404);
    expect(reply.messages[0]).toMatchObject({ error: { message: expect.stringContaining('stdio upstreams are disabled') } });
  });
});
