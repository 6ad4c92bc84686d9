import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { AuditQueueWriter, auditSinkQueueName, type AuditEvent } from '@mcpg/audit';
import { busNames } from '@mcpg/bus';
import { createLogger } from '@mcpg/observability';
import {
  auditEventFixture,
  startElasticReceiver,
  startHecReceiver,
  startWebhookReceiver,
  type ElasticReceiver,
  type HecReceiver,
  type WebhookReceiver,
} from '@mcpg/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadSiemExporterConfig } from './config.js';
import { startSiemExporter, type SiemExporter } from './siem-exporter.js';

// Counts events end to end under faults (issue 5): every event ends exactly once in Elastic
// (`create` + `_id`) and at least once in HEC (deduplicated by event id), whatever fails.
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const HEC_TOKEN = 'f0e1d2c3-faults-hec-token';
const API_KEY = { id: 'faults-key-id', key: 'faults-key-secret' };
const WEBHOOK_SECRET = 'faults-webhook-secret-0123456789';
const ENCODED_API_KEY = Buffer.from(`${API_KEY.id}:${API_KEY.key}`).toString('base64');
const filePrefix = `mcpg-test-delivery-faults-${randomBytes(4).toString('hex')}:`;
const EXPORTER_MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
let testNumber = 0;

async function waitUntil(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function idsOf(values: { id?: string; event?: unknown }[]): string[] {
  return values.map((v) => v.id ?? (v.event as AuditEvent).id);
}

describe('delivery under faults', () => {
  let redis: Redis;
  let prefix: string;
  let hec: HecReceiver;
  let elastic: ElasticReceiver;
  let webhook: WebhookReceiver;
  let writer: AuditQueueWriter;
  let queue: Queue;
  let sinkQueues: Map<string, Queue>;
  let exporter: SiemExporter | undefined;
  let child: ChildProcess | undefined;
  const logs: string[] = [];

  beforeAll(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  });

  async function setUp(maxBatchSize: number) {
    prefix = `${filePrefix}${++testNumber}:`;
    const names = busNames(prefix);
    hec = await startHecReceiver({ token: HEC_TOKEN, ack: true });
    elastic = await startElasticReceiver({ apiKey: API_KEY });
    webhook = await startWebhookReceiver({ secret: WEBHOOK_SECRET });
    writer = new AuditQueueWriter({ connection: redis, names, maxBatchSize, flushIntervalMs: 20 });
    queue = new Queue(names.auditQueue, { connection: redis, prefix: names.bullPrefix });
    sinkQueues = new Map();
  }

  /** The delivery queue of one sink (stage 2). */
  const sinkQueue = (sink: string): Queue => {
    let q = sinkQueues.get(sink);
    if (!q) sinkQueues.set(sink, (q = new Queue(auditSinkQueueName(sink), { connection: redis, prefix: busNames(prefix).bullPrefix })));
    return q;
  };

  const env = (overrides: Record<string, string> = {}): Record<string, string> => ({
    REDIS_URL,
    MCPG_REDIS_KEY_PREFIX: prefix,
    SPLUNK_HEC_URL: hec.url,
    SPLUNK_HEC_TOKEN: HEC_TOKEN,
    SPLUNK_HEC_ACK: 'true',
    SPLUNK_HEC_ACK_POLL_MS: '10',
    SPLUNK_HEC_ACK_TIMEOUT_MS: '200',
    ELASTIC_URL: elastic.url,
    ELASTIC_API_KEY: ENCODED_API_KEY,
    EXPORTER_BACKOFF_MS: '20',
    EXPORTER_BACKOFF_MAX_MS: '100',
    EXPORTER_ATTEMPTS: '30',
    EXPORTER_LOCK_MS: '500',
    // These faults are about the per-sink queues (retries, takeover, dead letters), so every share
    // goes through them; the direct-first path has its own kill test below.
    EXPORTER_SINK_QUEUES: 'always',
    ...overrides,
  });

  afterEach(async () => {
    child?.kill('SIGKILL');
    child = undefined;
    await exporter?.close();
    exporter = undefined;
    await writer.close();
    await queue.close();
    for (const q of sinkQueues.values()) await q.close();
    await hec.close();
    await elastic.close();
    await webhook.close();
  });

  afterAll(async () => {
    const keys = await redis.keys(`${filePrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('delivers every event through 500s and 429s, refused bulk items and lost HEC acks: exactly once in Elastic and the webhook, at least once in HEC', async () => {
    await setUp(10);
    const events = Array.from({ length: 60 }, (_, i) => auditEventFixture({ rpcId: i }));
    elastic.failNextRequests(3, 500);
    hec.failNextRequests(2);
    hec.loseNextBatches(2);
    webhook.failNextRequests(2, 500);
    webhook.failNextRequests(2, 429);
    exporter = await startSiemExporter(loadSiemExporterConfig(env({ EXPORTER_CONCURRENCY: '3', WEBHOOK_URL: webhook.url, WEBHOOK_SECRET })), createLogger({ app: 'test' }, 'debug', (l) => logs.push(l)));
    for (const event of events.slice(0, 30)) writer.write(event);
    await writer.drain();
    // Later bulks first meet back-pressure (429), then have some items refused, retried alone.
    elastic.failNextRequests(2, 429);
    elastic.rejectItems(7, 429, (id) => Number.parseInt(id.slice(-2), 16) % 3 === 0);
    for (const event of events.slice(30)) writer.write(event);
    await writer.drain();
    await waitUntil(async () => (await queue.getCompletedCount()) === 6, 'six batches fanned out');
    for (const sink of ['splunk-hec', 'elastic', 'webhook']) await waitUntil(async () => (await sinkQueue(sink).getCompletedCount()) === 6, `six deliveries to ${sink}`);

    expect(elastic.documents).toHaveLength(60);
    expect(idsOf(elastic.documents).sort()).toEqual(idsOf(events).sort());
    expect(new Set(idsOf(hec.events)).size).toBe(60);
    expect(new Set(idsOf(hec.events))).toEqual(new Set(idsOf(events)));
    expect(idsOf(webhook.events as AuditEvent[]).sort()).toEqual(idsOf(events).sort());
    expect(webhook.rejected).toBe(0);
    expect(await queue.getFailedCount()).toBe(0);
    for (const sink of ['splunk-hec', 'elastic', 'webhook']) expect(await sinkQueue(sink).getFailedCount()).toBe(0);
    expect(logs.some((l) => l.includes('not acknowledged within 200 ms'))).toBe(true);
    for (const fault of ['answered HTTP 500', 'answered HTTP 429', 'items (', 'HEC code 9']) expect(logs.some((l) => l.includes(fault)), fault).toBe(true);
  });

  it('resumes a batch after the exporter is killed mid-batch and another takes over: nothing lost, nothing doubled in Elastic', async () => {
    await setUp(5);
    // The first exporter sends to both sinks, then waits (long ack poll) and is killed (SIGKILL).
    child = spawn(process.execPath, [EXPORTER_MAIN], {
      env: { ...process.env, ...env({ SPLUNK_HEC_ACK_POLL_MS: '60000', SPLUNK_HEC_ACK_TIMEOUT_MS: '120000' }) },
      stdio: 'ignore',
    });
    const events = Array.from({ length: 5 }, (_, i) => auditEventFixture({ rpcId: i }));
    for (const event of events) writer.write(event);
    await writer.drain();
    await waitUntil(() => hec.events.length === 5 && elastic.documents.length === 5, 'the first exporter to send the batch');
    await waitUntil(async () => (await sinkQueue('elastic').getJobState(events[0]!.id)) === 'completed', 'the Elastic delivery to complete');
    expect(await queue.getJobState(events[0]!.id)).toBe('completed');
    expect(await sinkQueue('splunk-hec').getJobState(events[0]!.id)).toBe('active');
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    child = undefined;

    exporter = await startSiemExporter(loadSiemExporterConfig(env()), createLogger({ app: 'test' }, 'warn', () => {}));
    await waitUntil(async () => (await sinkQueue('splunk-hec').getJobState(events[0]!.id)) === 'completed', 'the HEC delivery to complete after takeover');
    // Only the HEC delivery was in flight: Elastic is not sent the batch again at all.
    expect(elastic.documents).toHaveLength(5);
    expect(elastic.conflicts).toBe(0);
    // HEC got the batch twice (at least once); ids deduplicate it.
    expect(hec.events).toHaveLength(10);
    expect(new Set(idsOf(hec.events))).toEqual(new Set(idsOf(events)));
  });

  it('loses nothing and duplicates nothing in Elastic when the exporter is killed between fan-out and delivery', async () => {
    await setUp(5);
    // Both sinks hang: the killed exporter's deliveries stay in flight (or queued) when it dies.
    hec.gate.hold();
    elastic.gate.hold();
    child = spawn(process.execPath, [EXPORTER_MAIN], { env: { ...process.env, ...env({ EXPORTER_SINK_CONCURRENCY: '1' }) }, stdio: 'ignore' });
    const events = Array.from({ length: 40 }, (_, i) => auditEventFixture({ rpcId: i }));
    for (const event of events) writer.write(event);
    await writer.drain();
    await elastic.gate.waitForHeld(1);
    await hec.gate.waitForHeld(1);
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    child = undefined;
    const fannedOut = await queue.getCompletedCount();
    // The requests the dead exporter sent are answered now: Elastic indexes those documents anyway.
    hec.gate.release();
    elastic.gate.release();

    exporter = await startSiemExporter(loadSiemExporterConfig(env()), createLogger({ app: 'test' }, 'warn', () => {}));
    await waitUntil(async () => (await queue.getCompletedCount()) === 8, 'every batch fanned out');
    for (const sink of ['splunk-hec', 'elastic']) await waitUntil(async () => (await sinkQueue(sink).getCompletedCount()) === 8, `eight deliveries to ${sink}`);
    expect(fannedOut).toBeGreaterThan(0); // deliveries were in flight, so the kill came after (some) fan-out
    expect(idsOf(elastic.documents).sort()).toEqual(idsOf(events).sort());
    expect(new Set(idsOf(hec.events))).toEqual(new Set(idsOf(events)));
    // One delivery job per batch and sink, however often a fan-out ran: the job ids are the events'.
    for (const sink of ['splunk-hec', 'elastic']) {
      const counts = await sinkQueue(sink).getJobCounts('completed', 'failed', 'wait', 'delayed', 'active');
      expect(counts).toEqual({ completed: 8, failed: 0, wait: 0, delayed: 0, active: 0 });
    }
  });

  it('loses nothing and doubles nothing in Elastic when the exporter is killed during a direct delivery', async () => {
    await setUp(5);
    // Direct first: the killed exporter's requests are in flight when it dies, nothing is queued.
    hec.gate.hold();
    elastic.gate.hold();
    child = spawn(process.execPath, [EXPORTER_MAIN], { env: { ...process.env, ...env({ EXPORTER_SINK_QUEUES: 'auto', EXPORTER_DIRECT_DEADLINE_MS: '60000' }) }, stdio: 'ignore' });
    const events = Array.from({ length: 10 }, (_, i) => auditEventFixture({ rpcId: i }));
    for (const event of events) writer.write(event);
    await writer.drain();
    await elastic.gate.waitForHeld(1);
    await hec.gate.waitForHeld(1);
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    child = undefined;
    expect(await queue.getCompletedCount()).toBe(0);
    hec.gate.release();
    elastic.gate.release();

    // The batches' locks expire and the next exporter delivers them again.
    exporter = await startSiemExporter(loadSiemExporterConfig(env({ EXPORTER_SINK_QUEUES: 'auto' })), createLogger({ app: 'test' }, 'warn', () => {}));
    await waitUntil(async () => (await queue.getCompletedCount()) === 2, 'both batches delivered');
    await waitUntil(() => new Set(idsOf(hec.events)).size === 10, 'HEC to have every event');
    expect(idsOf(elastic.documents).sort()).toEqual(idsOf(events).sort());
    expect(new Set(idsOf(hec.events))).toEqual(new Set(idsOf(events)));
    for (const sink of ['splunk-hec', 'elastic']) expect(await sinkQueue(sink).getJobCounts('completed', 'wait', 'failed')).toEqual({ completed: 0, wait: 0, failed: 0 });
  });
});
