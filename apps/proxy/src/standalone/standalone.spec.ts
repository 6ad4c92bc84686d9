import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseApiKey } from '@mcpg/auth';
import { startEverythingServer, startUpstreamTap, type RunningMcpServer } from '@mcpg/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSdkClient } from '../testing/proxy-harness.js';
import { runCli, type RunningCli } from './cli.js';

const entry = createRequire(import.meta.url).resolve('@modelcontextprotocol/server-everything/dist/index.js');
let dir: string;
let everything: RunningMcpServer;

function cli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  let running: RunningCli | undefined;
  const done = runCli(argv, { out: (l) => void out.push(l), err: (l) => void err.push(l) }, (r) => void (running = r));
  return done.then((code) => ({ code, out, err, close: running?.close, reload: running?.reload }));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcp-guard-'));
  everything = await startEverythingServer();
});

afterAll(async () => {
  await everything?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('mcp-guard standalone', () => {
  it('keygen prints a well-formed key and the SHA-256 of it', async () => {
    const { code, out } = await cli(['keygen']);
    expect(code).toBe(0);
    const key = out[0]!.replace('key:  ', '');
    const hash = out[1]!.replace('hash: ', '').replaceAll('"', '');
    expect(parseApiKey(key)).toMatchObject({ ok: true, hash });
    expect(hash).toBe(createHash('sha256').update(key).digest('hex'));
  });

  it('validate prints every error with its path, and accepts a valid file', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, ['tenant: Not_A_Slug', 'servers:', '  - name: a', '    url: not-a-url', '  - name: a', '    transport: stdio', 'keys:', '  - name: k', '    hash: abc', 'surprise: 1'].join('\n'));
    const result = await cli(['validate', '--config', bad]);
    expect(result.code).toBe(1);
    const text = result.err.join('\n');
    for (const path of ['tenant:', 'servers.0.name:', 'servers.0.url:', 'servers.1.stdio:', 'keys.0.hash:', '(root):']) expect(text, path).toContain(path);

    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'servers: [\n  - name: x');
    expect((await cli(['validate', broken])).err.join('\n')).toMatch(/yaml:/);

    const good = join(dir, 'good.yaml');
    writeFileSync(good, `servers:\n  - name: everything\n    url: ${everything.url}\n`);
    expect(await cli(['validate', '--config', good])).toMatchObject({ code: 0, out: [expect.stringContaining('valid (1 server(s), 0 key(s))')] });
    const example = new URL('../../../../infra/mcp-guard.example.yaml', import.meta.url).pathname;
    expect(await cli(['validate', example])).toMatchObject({ code: 0 });
  });

  it('run serves the file\'s tenant with its keys, rules and upstreams (HTTP and stdio), auditing to a JSONL file', async () => {
    const key = (await cli(['keygen'])).out;
    const secret = key[0]!.replace('key:  ', '');
    const hash = key[1]!.replace('hash: ', '').replaceAll('"', '');
    const auditFile = join(dir, 'audit.jsonl');
    const config = join(dir, 'mcp-guard.yaml');
    writeFileSync(
      config,
      [
        'tenant: team',
        'listen: { host: 127.0.0.1, port: 0 }',
        'servers:',
        '  - name: remote',
        `    url: ${everything.url}`,
        '  - name: local',
        '    transport: stdio',
        `    stdio: { command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(entry)}, stdio] }`,
        'keys:',
        '  - name: laptop',
        `    hash: ${hash}`,
        '    tools: [echo]',
        `audit: { stdout: false, file: ${JSON.stringify(auditFile)} }`,
      ].join('\n'),
    );
    const started = await cli(['run', '--config', config]);
    expect(started.code).toBe(0);
    const url = /at (http:\/\/[^/]+)\//.exec(started.err.join('\n'))![1]!;
    try {
      for (const server of ['remote', 'local']) {
        const client = await connectSdkClient(`${url}/t/team/${server}/mcp`, secret);
        expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo']);
        expect((await client.callTool({ name: 'echo', arguments: { message: server } })).content).toEqual([{ type: 'text', text: `Echo: ${server}` }]);
        await expect(client.callTool({ name: 'get-env', arguments: {} })).rejects.toMatchObject({ code: -32001 });
        await client.close();
      }
    } finally {
      await started.close!();
    }
    const events = readFileSync(auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; tool: string | null; server: string; tenantId: string });
    expect(events.filter((e) => e.kind === 'tool.denied' && e.tool === 'get-env').map((e) => e.server).sort()).toEqual(['local', 'remote']);
    expect(events.every((e) => e.tenantId === 'standalone:team')).toBe(true);
    expect(readFileSync(auditFile, 'utf8')).not.toContain(secret);
  });

  it('run gives an upstream its own credential, read from the environment, never from the file', async () => {
    const upstreamSecret = 'upstream-key-5b0c7e2a91';
    const tap = await startUpstreamTap(everything.url, { requireHeader: { name: 'x-api-key', value: upstreamSecret } });
    const key = (await cli(['keygen'])).out;
    const secret = key[0]!.replace('key:  ', '');
    const hash = key[1]!.replace('hash: ', '').replaceAll('"', '');
    const config = join(dir, 'with-credential.yaml');
    const auditFile = join(dir, 'credential-audit.jsonl');
    writeFileSync(
      config,
      [
        'tenant: creds',
        'listen: { host: 127.0.0.1, port: 0 }',
        'servers:',
        '  - name: gated',
        `    url: ${tap.url}`,
        '    credential: { kind: header, headerName: X-API-Key, valueFromEnv: MCPG_TEST_UPSTREAM_KEY }',
        'keys:',
        '  - name: laptop',
        `    hash: "${hash}"`,
        '    tools: [echo]',
        `audit: { stdout: false, file: ${JSON.stringify(auditFile)} }`,
      ].join('\n'),
    );
    try {
      // Without the variable the proxy does not start, and says which one is missing.
      delete process.env.MCPG_TEST_UPSTREAM_KEY;
      const refused = await cli(['run', '--config', config]);
      expect(refused.code).toBe(1);
      expect(refused.err.join('\n')).toContain('servers.0.credential.valueFromEnv: environment variable MCPG_TEST_UPSTREAM_KEY is not set');

      process.env.MCPG_TEST_UPSTREAM_KEY = upstreamSecret;
      const started = await cli(['run', '--config', config]);
      expect(started.code).toBe(0);
      const url = /at (http:\/\/[^/]+)\//.exec(started.err.join('\n'))![1]!;
      try {
        const client = await connectSdkClient(`${url}/t/creds/gated/mcp`, secret);
        expect((await client.callTool({ name: 'echo', arguments: { message: 'through the gate' } })).content).toEqual([{ type: 'text', text: 'Echo: through the gate' }]);
        await client.close();
      } finally {
        await started.close!();
      }
      // The upstream got its own credential and never the client's API key.
      expect(tap.requests.length).toBeGreaterThan(0);
      expect(tap.requests.every((r) => r.headers['x-api-key'] === upstreamSecret && r.headers.authorization === undefined)).toBe(true);
      expect(readFileSync(auditFile, 'utf8')).not.toContain(upstreamSecret);
    } finally {
      delete process.env.MCPG_TEST_UPSTREAM_KEY;
      await tap.close();
    }
  });

  it('validate refuses a credential on a stdio server and a header credential without a name', async () => {
    const bad = join(dir, 'bad-credential.yaml');
    writeFileSync(
      bad,
      [
        'servers:',
        '  - name: local',
        '    transport: stdio',
        '    stdio: { command: node }',
        '    credential: { kind: bearer, valueFromEnv: TOKEN }',
        '  - name: remote',
        `    url: ${everything.url}`,
        '    credential: { kind: header, valueFromEnv: TOKEN }',
      ].join('\n'),
    );
    const text = (await cli(['validate', bad])).err.join('\n');
    expect(text).toContain('servers.0.credential:');
    expect(text).toContain('servers.1.credential.headerName:');
  });

  it('run applies an edited file live (watched, or on reload), and keeps the running policy when the edit is invalid', async () => {
    const key = (await cli(['keygen'])).out;
    const secret = key[0]!.replace('key:  ', '');
    const hash = key[1]!.replace('hash: ', '').replaceAll('"', '');
    const config = join(dir, 'live.yaml');
    const file = (tools: string, extra: string[] = []) =>
      ['tenant: live', 'listen: { host: 127.0.0.1, port: 0 }', 'servers:', '  - name: remote', `    url: ${everything.url}`, 'keys:', '  - name: laptop', `    hash: "${hash}"`, `    tools: [${tools}]`, `audit: { stdout: false, file: ${JSON.stringify(join(dir, 'live-audit.jsonl'))} }`, ...extra].join('\n');
    writeFileSync(config, file('echo'));
    const started = await cli(['run', '--config', config]);
    expect(started.code).toBe(0);
    const url = /at (http:\/\/[^/]+)\//.exec(started.err.join('\n'))![1]!;
    const toolNames = async () => {
      const client = await connectSdkClient(`${url}/t/live/remote/mcp`, secret);
      try {
        return (await client.listTools()).tools.map((t) => t.name).sort();
      } finally {
        await client.close();
      }
    };
    try {
      expect(await toolNames()).toEqual(['echo']);
      // Saved by an editor: picked up by the watch, no restart.
      writeFileSync(config, file('echo, get-sum'));
      const deadline = Date.now() + 10_000;
      while (!started.err.some((l) => l.includes('reloaded (policy version 2)')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await toolNames()).toEqual(['echo', 'get-sum']);

      // A deny rule wins over the key's allow globs, live as well.
      writeFileSync(config, file('echo, get-sum', ['deny:', '  - name: no-sums', '    tools: [get-sum]']));
      await started.reload!();
      expect(await toolNames()).toEqual(['echo']);
      writeFileSync(config, file('echo, get-sum'));
      await started.reload!();
      expect(await toolNames()).toEqual(['echo', 'get-sum']);

      // An invalid edit is reported and not applied.
      writeFileSync(config, file('echo', ['surprise: 1']));
      await started.reload!();
      expect(started.err.join('\n')).toContain('not applied, the running policy stays: (root):');
      expect(await toolNames()).toEqual(['echo', 'get-sum']);
      writeFileSync(config, file('echo', ['deny:', '  - name: x', '    key: nobody', '    tools: [echo]']));
      await started.reload!();
      expect(started.err.join('\n')).toContain('deny.0.key: no key is named "nobody"');
      // What needs a restart says so.
      writeFileSync(config, file('echo').replace('port: 0', 'port: 1'));
      await started.reload!();
      expect(started.err.join('\n')).toContain('listen: changed; restart to apply it');
      expect(await toolNames()).toEqual(['echo', 'get-sum']);
    } finally {
      await started.close!();
    }
  });
});
