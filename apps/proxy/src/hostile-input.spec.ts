import { generateApiKey, type NewApiKey } from '@mcpg/auth';
import type { TenantModel } from '@mcpg/policy';
import { startEverythingServer, type RunningMcpServer } from '@mcpg/testing';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSdkClient, openRawSession, startProxyHarness, type ProxyHarness } from './testing/proxy-harness.js';

/**
 * A bounded fuzz run: a few thousand malformed or hostile JSON-RPC bodies and headers, generated
 * from a fixed seed (failures reproduce), each of which must get a clean answer — a status below
 * 500 and, when the proxy answers with JSON, a parseable body — while the proxy keeps serving.
 */
const CASES = 2500;
const CONCURRENCY = 16;
const SEED = 0x6d637067;

let everything: RunningMcpServer;
let harness: ProxyHarness;
let key: NewApiKey;
let endpoint: string;
let sealed: string;

/** mulberry32: tiny, seedable PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const METHODS = ['tools/call', 'tools/list', 'resources/read', 'resources/subscribe', 'prompts/get', 'completion/complete', 'initialize', 'ping', 'notifications/cancelled', 'x'.repeat(300), '', 'tools/call\u0000'];
const WEIRD: unknown[] = [null, true, 0, -1, 1e308, -0, '', 'x'.repeat(2000), '\u0000', '\ud800', [], {}, [[[]]], { __proto__: { polluted: 1 } }, { constructor: { prototype: {} } }, 'demo://resource/static/*'];

function generate(next: () => number): { body: string | Buffer; headers: Record<string, string> } {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const message = () => {
    const m: Record<string, unknown> = {};
    if (next() < 0.9) m.jsonrpc = next() < 0.85 ? '2.0' : pick(WEIRD);
    if (next() < 0.8) m.id = next() < 0.6 ? Math.floor(next() * 100) : pick(WEIRD);
    if (next() < 0.85) m.method = next() < 0.8 ? pick(METHODS) : pick(WEIRD);
    if (next() < 0.7) m.params = next() < 0.5 ? { name: pick([...WEIRD, 'echo', 'get-env']), uri: pick(WEIRD), ref: pick(WEIRD), arguments: pick(WEIRD) } : pick(WEIRD);
    if (next() < 0.1) m.result = pick(WEIRD);
    if (next() < 0.1) m.error = pick(WEIRD);
    return m;
  };
  const headers: Record<string, string> = {
    authorization: `Bearer ${key.secret}`,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2025-11-25',
  };
  // Mostly inside the open session, so hostile messages also travel the forwarding path.
  headers['mcp-session-id'] = next() < 0.75 ? sealed : pick([sealed.slice(0, -3) + 'AAA', 'garbage', 's1.k1.' + 'A'.repeat(200), '']);
  if (next() < 0.15) headers['mcp-method'] = pick(METHODS.filter((m) => !m.includes('\u0000')));
  if (next() < 0.15) headers['mcp-name'] = pick(['echo', '=?base64?ZWNobw==?=', '=?base64?***?=', 'get-env']);
  if (next() < 0.1) headers['content-type'] = pick(['text/plain', 'application/json; charset=latin1', '']);
  if (next() < 0.05) headers.authorization = pick(['Bearer ', 'Bearer mcpg_x', 'Basic abc', `Bearer ${key.secret}x`]);
  if (next() < 0.05) headers['last-event-id'] = pick(['', 'x'.repeat(500), '../../etc/passwd']);

  const kind = next();
  let body: string | Buffer;
  if (kind < 0.1) body = Buffer.from(Array.from({ length: Math.floor(next() * 300) }, () => Math.floor(next() * 256)));
  else if (kind < 0.2) body = JSON.stringify(message()).slice(0, Math.floor(next() * 40));
  else if (kind < 0.25) body = '['.repeat(1 + Math.floor(next() * 5000)) + ']'.repeat(Math.floor(next() * 3));
  else if (kind < 0.3) body = '{"a":'.repeat(100) + '1' + '}'.repeat(100);
  else if (kind < 0.45) body = JSON.stringify(Array.from({ length: Math.floor(next() * 8) }, message));
  else if (kind < 0.5) body = pick(['', ' ', 'null', '[]', '[[]]', '"x"', '1', '{}', 'true', '\ufeff{}']);
  else body = JSON.stringify(message());
  return { body, headers };
}

beforeAll(async () => {
  everything = await startEverythingServer();
  key = generateApiKey();
  const model: TenantModel = {
    tenant: { id: 'tenant-fuzz', slug: 'fuzz' },
    servers: [{ id: 'srv-everything', name: 'everything', url: everything.url }],
    apiKeys: [{ id: 'key-1', name: 'k', prefix: key.prefix, hash: key.hash, revokedAt: null }],
    toolRules: [{ id: 'rule-1', apiKeyId: 'key-1', toolGlobs: ['echo'], resourceGlobs: ['demo://resource/static/*'], promptGlobs: ['simple-prompt'] }],
    rateLimit: { capacity: 1_000_000, refillPerSecond: 1_000_000 },
  };
  harness = await startProxyHarness(model);
  endpoint = `${harness.proxies[0]!.url}/t/fuzz/everything/mcp`;
  sealed = await openRawSession(endpoint, { authorization: `Bearer ${key.secret}` });
});

afterAll(async () => {
  await harness?.close();
  await everything?.close();
});

describe('hostile input', () => {
  it(`answers ${CASES} malformed or hostile requests cleanly and keeps serving`, { timeout: 120_000 }, async () => {
    const next = prng(SEED);
    const inputs = Array.from({ length: CASES }, () => generate(next));
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let index = 0;
    const worker = async () => {
      while (index < inputs.length) {
        const i = index++;
        const { body, headers } = inputs[i]!;
        try {
          const res = await request(endpoint, { method: 'POST', headers, body, headersTimeout: 10_000, bodyTimeout: 10_000 });
          const text = await res.body.text();
          const isJson = String(res.headers['content-type'] ?? '').includes('application/json');
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          if (res.statusCode >= 500) failures.push(`#${i}: status ${res.statusCode} ${text.slice(0, 200)}`);
          else if (isJson && text.length > 0) JSON.parse(text);
        } catch (err) {
          failures.push(`#${i}: ${String(err)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    // The run must reach the upstream too, not only the proxy's own refusals.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(CASES / 20);
    expect(failures.slice(0, 10)).toEqual([]);

    expect((await request(`${harness.proxies[0]!.url}/healthz`)).statusCode).toBe(200);
    const client = await connectSdkClient(endpoint, key.secret);
    expect((await client.callTool({ name: 'echo', arguments: { message: 'still here' } })).content).toEqual([{ type: 'text', text: 'Echo: still here' }]);
    await client.close();
  });
});
