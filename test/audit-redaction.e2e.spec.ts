import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { AuditEvent } from '@mcpg/audit';
import { generateApiKey } from '@mcpg/auth';
import { busNames, SnapshotPublisher } from '@mcpg/bus';
import { createLogger } from '@mcpg/observability';
import { compileSnapshot, generateSnapshotKeyPair, importSigningKey, signSnapshot } from '@mcpg/policy';
import {
  startElasticReceiver,
  startEverythingServer,
  startHecReceiver,
  type ElasticReceiver,
  type HecReceiver,
  type RunningMcpServer,
} from '@mcpg/testing';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProxyConfig } from '../apps/proxy/src/config.js';
import { startProxy, type RunningProxy } from '../apps/proxy/src/proxy-server.js';
import { loadSiemExporterConfig } from '../apps/siem-exporter/src/config.js';
import { startSiemExporter, type SiemExporter } from '../apps/siem-exporter/src/siem-exporter.js';

// Secrets planted in tool arguments never reach any sink (issue 5); with response redaction on,
// they never reach the client either, even when an SSE stream splits one across two chunks.
const GITHUB_TOKEN = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a';
const AWS_KEY = 'AKIAIOSFODNN7EXAMPLE';
const EMPLOYEE_ID = 'EMP-424242';
const CARD = '4111111111111111';
const PASSWORD = 'correct-horse-battery-staple';
const SECRETS = [GITHUB_TOKEN, AWS_KEY, EMPLOYEE_ID, CARD, PASSWORD];
const HEC_TOKEN = 'redaction-hec-token';
const ES_KEY = { id: 'redaction', key: 'es-secret' };
const CLI = fileURLToPath(new URL('../apps/proxy/dist/mcp-guard.js', import.meta.url));
const prefix = `mcpg-test-redaction-${randomBytes(4).toString('hex')}:`;

/** An upstream answering every POST with an SSE reply that cuts the AWS key in half between two writes. */
async function startSplittingUpstream(): Promise<{ url: string; close(): void }> {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const id = (JSON.parse(body) as { id: number }).id;
      const message = JSON.stringify({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: `creds: ${AWS_KEY} ok` }], structuredContent: { key: AWS_KEY } } });
      const frame = `event: message\ndata: ${message}\n\n`;
      const cut = frame.indexOf(AWS_KEY) + 8;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(frame.slice(0, cut));
      setTimeout(() => res.end(frame.slice(cut)), 30);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, close: () => server.close() };
}

describe('redaction end to end', () => {
  let redis: Redis;
  let everything: RunningMcpServer;
  let splitter: { url: string; close(): void };
  let hec: HecReceiver;
  let elastic: ElasticReceiver;
  let proxy: RunningProxy;
  let exporter: SiemExporter;
  let dir: string;
  const key = generateApiKey();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcpg-redaction-'));
    redis = new Redis('redis://127.0.0.1:6379');
    everything = await startEverythingServer();
    splitter = await startSplittingUpstream();
    hec = await startHecReceiver({ token: HEC_TOKEN });
    elastic = await startElasticReceiver({ apiKey: ES_KEY });
    const pair = await generateSnapshotKeyPair();
    const snapshot = compileSnapshot(
      {
        tenant: { id: 'tenant-redact', slug: 'redact' },
        servers: [
          { id: 's1', name: 'everything', url: everything.url },
          { id: 's2', name: 'splitter', url: splitter.url },
        ],
        apiKeys: [{ id: 'key-1', name: 'ci', prefix: key.prefix, hash: key.hash, revokedAt: null }],
        toolRules: [{ id: 'rule-1', apiKeyId: 'key-1', toolGlobs: ['echo', 'lookup'] }],
        redaction: { customPatterns: [{ name: 'employee_id', pattern: 'EMP-\\d{6}' }], redactResponses: true, argumentValues: 'hash' },
      },
      1,
    );
    await new SnapshotPublisher(redis, busNames(prefix)).publish('tenant-redact', 1, await signSnapshot(snapshot, await importSigningKey(pair.privateKeyPem)));
    proxy = await startProxy(
      loadProxyConfig({
        PROXY_PORT: '0',
        MCPG_REDIS_KEY_PREFIX: prefix,
        MCPG_SNAPSHOT_PUBLIC_KEYS: pair.publicKeyPem,
        MCPG_AUDIT_FLUSH_MS: '20',
        MCPG_REDACTION_HASH_KEY: randomBytes(32).toString('hex'),
        MCPG_AUDIT_SPOOL_FILE: join(dir, 'spool.jsonl'),
      }),
      createLogger({ app: 'proxy' }, 'error', () => {}),
    );
    exporter = await startSiemExporter(
      loadSiemExporterConfig({
        MCPG_REDIS_KEY_PREFIX: prefix,
        SPLUNK_HEC_URL: hec.url,
        SPLUNK_HEC_TOKEN: HEC_TOKEN,
        ELASTIC_URL: elastic.url,
        ELASTIC_API_KEY: Buffer.from(`${ES_KEY.id}:${ES_KEY.key}`).toString('base64'),
        MCPG_AUDIT_FILE: join(dir, 'audit.jsonl'),
      }),
      createLogger({ app: 'exporter' }, 'error', () => {}),
    );
  });

  afterAll(async () => {
    await exporter?.close();
    await proxy?.close();
    await hec?.close();
    await elastic?.close();
    splitter?.close();
    await everything?.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await rm(dir, { recursive: true, force: true });
  });

  it('records tool arguments only redacted (keyed hashes that correlate), in every sink, and redacts replies to the client', async () => {
    const client = new Client({ name: 'redaction-spec', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${proxy.url}/t/redact/everything/mcp`), { requestInit: { headers: { authorization: `Bearer ${key.secret}` } } }),
    );
    const echoed = await client.callTool({ name: 'echo', arguments: { message: `push with ${GITHUB_TOKEN} for ${EMPLOYEE_ID}` } });
    expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: push with [REDACTED:github_token] for [REDACTED:custom:employee_id]' }]);
    await client.callTool({ name: 'echo', arguments: { message: `again ${GITHUB_TOKEN}` } });
    // A denied call is audited with its (redacted) arguments too.
    const denied = await client.callTool({ name: 'get-env', arguments: { token: GITHUB_TOKEN, card: CARD, password: PASSWORD } }).catch((err: Error) => err);
    expect(String(denied)).toContain('not allowed');
    await client.close();

    // SSE reply with the AWS key split across two chunks.
    const res = await request(`${proxy.url}/t/redact/splitter/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'lookup', arguments: { q: `who owns ${AWS_KEY}` } } }),
    });
    const sse = await res.body.text();
    expect(sse).not.toContain(AWS_KEY);
    expect(sse).toContain('creds: [REDACTED:aws_access_key_id] ok');
    expect(sse).toContain('"structuredContent":{"key":"[REDACTED:aws_access_key_id]"}');

    await proxy.flushAudit();
    const recorded = (await proxy.metrics.auditEvents.get()).values.reduce((sum, v) => sum + v.value, 0);
    await hec.waitForEvents(recorded);
    await elastic.waitForDocuments(recorded);
    const sinks = {
      hec: JSON.stringify(hec.events),
      elastic: JSON.stringify(elastic.documents),
      jsonl: await readFile(join(dir, 'audit.jsonl'), 'utf8'),
    };
    for (const [sink, text] of Object.entries(sinks)) for (const secret of SECRETS) expect(text.includes(secret), `${secret} in ${sink}`).toBe(false);

    const events = hec.events.map((e) => e.event as AuditEvent);
    // Sinks receive batches concurrently: find the two echo calls by content, not by order.
    const echoes = events.filter((e) => e.kind === 'tool.call' && e.tool === 'echo');
    const messageOf = (e: AuditEvent) => (e.arguments as { message: string }).message;
    const call = echoes.find((e) => messageOf(e).startsWith('push with'));
    const again = echoes.find((e) => messageOf(e).startsWith('again'));
    expect(call!.redactedCount).toBe(2);
    const hashOf = (e: AuditEvent) => /\[HMAC:github_token:[0-9a-f]{32}\]/.exec((e.arguments as { message: string }).message)?.[0];
    // Keyed hashing correlates: the same token hashes alike in both events.
    expect(hashOf(call!)).toBeDefined();
    expect(hashOf(again!)).toBe(hashOf(call!));
    const deniedEvent = events.find((e) => e.kind === 'tool.denied')!;
    expect(deniedEvent).toMatchObject({ tool: 'get-env', redactedCount: 3, arguments: { token: expect.stringMatching(/^\[HMAC:sensitive_field:/), card: expect.stringMatching(/^\[HMAC:sensitive_field:|^\[HMAC:credit_card:/) } });
    const lookup = events.find((e) => e.tool === 'lookup')!;
    expect(lookup).toMatchObject({ redactedCount: 1, arguments: { q: expect.stringMatching(/^who owns \[HMAC:aws_access_key_id:[0-9a-f]{32}\]$/) } });
    const elasticCall = elastic.documents.find((d) => (d.source.event as { id: string }).id === call!.id)!;
    expect(elasticCall.source.mcpg).toMatchObject({ redacted_count: 2, arguments: call!.arguments });
  });

  it('chains the events of the proxy so that `mcp-guard audit verify` accepts the JSON Lines export and catches an edit or a removal', async () => {
    const file = join(dir, 'audit.jsonl');
    const run = (path: string) => {
      const result = spawnSync(process.execPath, [CLI, 'audit', 'verify', path], { encoding: 'utf8' });
      return { status: result.status, out: result.stdout };
    };
    const intact = run(file);
    expect(intact.out).toMatch(/OK: \d+ events, every chain intact/);
    expect(intact.status).toBe(0);

    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    // The second event of the chain: neither its start nor its end, so both changes are visible.
    const at = lines.findIndex((line) => (JSON.parse(line) as AuditEvent).seq === 2);
    const edited = lines.map((line, i) => (i === at ? JSON.stringify({ ...(JSON.parse(line) as AuditEvent), status: 299 }) : line));
    expect(edited[at]).not.toBe(lines[at]);
    await writeFile(join(dir, 'edited.jsonl'), edited.join('\n') + '\n');
    const afterEdit = run(join(dir, 'edited.jsonl'));
    expect(afterEdit.status).toBe(1);
    expect(afterEdit.out).toContain('PROBLEM edited');

    await writeFile(join(dir, 'cut.jsonl'), lines.filter((_, i) => i !== at).join('\n') + '\n');
    const afterCut = run(join(dir, 'cut.jsonl'));
    expect(afterCut.status).toBe(1);
    expect(afterCut.out).toContain('PROBLEM gap');
  });
});
