import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIT_BATCH_JOB_NAME, AUDIT_EXPORT_BACKOFF_TYPE, AuditQueueWriter, auditSinkQueueName, type AuditEvent } from '@mcpg/audit';
import { busNames } from '@mcpg/bus';
import { createLogger } from '@mcpg/observability';
import { startHecReceiver, type HecReceiver } from '@mcpg/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditEventFixture as auditEvent } from '@mcpg/testing';
import { loadSiemExporterConfig } from './config.js';
import { startSiemExporter, type SiemExporter } from './siem-exporter.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const HEC_TOKEN = 'a1b2c3d4-hec-token-for-tests';
const filePrefix = `mcpg-test-siem-exporter-${randomBytes(4).toString('hex')}:`;
let testNumber = 0;

async function waitUntil(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function readJsonLines(path: string): Promise<AuditEvent[]> {
  const text = await readFile(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.trimEnd().split('\n').map((line) => JSON.parse(line) as AuditEvent);
}

describe('siem-exporter', () => {
  let redis: Redis;
  let dir: string;
  const logs: string[] = [];
  const logger = createLogger({ app: 'siem-exporter' }, 'debug', (line) => logs.push(line));
  // Per test: a fresh key prefix (own queue), receiver, writer and exporter.
  let prefix: string;
  let receiver: HecReceiver;
  let writer: AuditQueueWriter;
  let queue: Queue;
  /** Per-sink delivery queues opened by the test, closed after it. */
  let sinkQueues: Map<string, Queue>;
  let exporter: SiemExporter | undefined;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    dir = await mkdtemp(join(tmpdir(), 'mcpg-siem-exporter-'));
  });

  async function setUp(options: { maxBatchSize?: number; receiverToken?: string } = {}) {
    prefix = `${filePrefix}${++testNumber}:`;
    const names = busNames(prefix);
    logs.length = 0;
    receiver = await startHecReceiver({ token: options.receiverToken ?? HEC_TOKEN, allowedIndexes: ['mcpg_audit'] });
    writer = new AuditQueueWriter({ connection: redis, names, maxBatchSize: options.maxBatchSize ?? 5, flushIntervalMs: 50 });
    queue = new Queue(names.auditQueue, { connection: redis, prefix: names.bullPrefix });
    sinkQueues = new Map();
  }

  /** The delivery queue of one sink (stage 2). */
  const sinkQueue = (sink: string): Queue => {
    let q = sinkQueues.get(sink);
    if (!q) sinkQueues.set(sink, (q = new Queue(auditSinkQueueName(sink), { connection: redis, prefix: busNames(prefix).bullPrefix })));
    return q;
  };

  async function start(env: Record<string, string>) {
    const config = loadSiemExporterConfig({
      REDIS_URL,
      MCPG_REDIS_KEY_PREFIX: prefix,
      EXPORTER_BACKOFF_MS: '20',
      EXPORTER_BACKOFF_MAX_MS: '200',
      ...env,
    });
    exporter = await startSiemExporter(config, logger);
  }

  const splunkEnv = (token = HEC_TOKEN) => ({
    SPLUNK_HEC_URL: receiver.url,
    SPLUNK_HEC_TOKEN: token,
    SPLUNK_INDEX: 'mcpg_audit',
  });

  const jobState = (jobId: string) => queue.getJobState(jobId);

  afterEach(async () => {
    await exporter?.close();
    exporter = undefined;
    await writer.close();
    await queue.close();
    for (const q of sinkQueues.values()) await q.close();
    await receiver.close();
  });

  afterAll(async () => {
    const keys = await redis.keys(`${filePrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers queued batches to Splunk HEC, several events per request, with sourcetype, source, index and the event intact', async () => {
    await setUp({ maxBatchSize: 5 });
    await start(splunkEnv());
    const events = Array.from({ length: 12 }, (_, i) => auditEvent({ rpcId: i, tool: i % 2 ? 'echo' : 'add' }));
    for (const event of events) writer.write(event);
    await writer.drain();

    const received = await receiver.waitForEvents(12);
    expect(receiver.batches.map((batch) => batch.length).sort()).toEqual([2, 5, 5]);
    expect(receiver.requests).toBe(3);
    expect(received.map((e) => e.event)).toEqual(expect.arrayContaining(events));
    for (const hecEvent of received) {
      expect(hecEvent).toMatchObject({
        sourcetype: 'mcpg:audit',
        source: 'mcp-guard',
        index: 'mcpg_audit',
        host: 'proxy-eu-1a',
        time: 1772366400.25,
      });
    }
    expect(logs.join('\n')).not.toContain(HEC_TOKEN);
  });

  it('retries after HEC answers 503 twice and then delivers every event once, without duplicating the JSON Lines file', async () => {
    await setUp({ maxBatchSize: 10 });
    const file = join(dir, 'retry', 'audit.jsonl');
    receiver.failNextRequests(2);
    // Two retries wait at least 50 ms and 100 ms (half the nominal delay; the rest is jitter).
    // Every share through its queue, so the retries are the queue's alone (no direct first try).
    await start({ ...splunkEnv(), MCPG_AUDIT_FILE: file, EXPORTER_BACKOFF_MS: '100', EXPORTER_BACKOFF_MAX_MS: '1000', EXPORTER_SINK_QUEUES: 'always' });
    const events = Array.from({ length: 6 }, () => auditEvent());
    for (const event of events) writer.write(event);
    await writer.drain();
    const queuedAt = Date.now();

    await waitUntil(async () => (await sinkQueue('splunk-hec').getJobState(events[0]!.id)) === 'completed', 'the HEC delivery to complete');
    expect(Date.now() - queuedAt).toBeGreaterThanOrEqual(150);
    expect(receiver.requests).toBe(3);
    expect(receiver.events.map((e) => e.event)).toEqual(events);
    await waitUntil(async () => (await sinkQueue('jsonl-file').getJobState(events[0]!.id)) === 'completed', 'the file delivery to complete');
    expect(await readJsonLines(file)).toEqual(events);
    // The fan-out handed the batch on once; only the HEC delivery job was retried.
    const batch = await queue.getJob(events[0]!.id);
    expect(batch?.attemptsMade).toBe(1);
    expect((await sinkQueue('splunk-hec').getJob(events[0]!.id))?.attemptsMade).toBe(3);
    expect((await sinkQueue('jsonl-file').getJob(events[0]!.id))?.attemptsMade).toBe(1);
    expect(logs.filter((line) => line.includes('will retry'))).toHaveLength(2);
    expect(logs.join('\n')).toContain('HTTP 503, HEC code 9 \\"Server is busy\\"');
  });

  it('delivers to healthy sinks directly, and spills a failing sink\'s share into its own queue', async () => {
    await setUp({ maxBatchSize: 10 });
    const file = join(dir, 'direct', 'audit.jsonl');
    receiver.failNextRequests(1);
    await start({ ...splunkEnv(), MCPG_AUDIT_FILE: file, EXPORTER_SPILL_MS: '60000' });
    const first = Array.from({ length: 4 }, () => auditEvent());
    for (const event of first) writer.write(event);
    await writer.drain();

    // HEC failed the direct try: its share went to its queue and was retried there.
    await waitUntil(async () => (await sinkQueue('splunk-hec').getJobState(first[0]!.id)) === 'completed', 'the spilled HEC delivery to complete');
    expect(receiver.events.map((e) => e.event)).toEqual(first);
    // The file took its share directly: no delivery job was ever queued for it.
    await waitUntil(async () => (await jobState(first[0]!.id)) === 'completed', 'the batch to be fanned out');
    expect(await readJsonLines(file)).toEqual(first);
    expect(await sinkQueue('jsonl-file').getJob(first[0]!.id)).toBeUndefined();

    // While spilling, HEC's shares go straight to its queue; the file still gets them directly.
    const second = [auditEvent(), auditEvent()];
    for (const event of second) writer.write(event);
    await writer.drain();
    await waitUntil(async () => (await sinkQueue('splunk-hec').getJobState(second[0]!.id)) === 'completed', 'the queued HEC delivery to complete');
    expect((await sinkQueue('splunk-hec').getJob(second[0]!.id))?.attemptsMade).toBe(1);
    await waitUntil(async () => (await readJsonLines(file).catch(() => [])).length === 6, 'the file to get the second batch');
    expect(await sinkQueue('jsonl-file').getJob(second[0]!.id)).toBeUndefined();
    expect(receiver.requests).toBe(3);
    expect(logs.filter((line) => line.includes('its events go through its own delivery queue'))).toHaveLength(1);
  });

  it('keeps retrying a batch HEC rejects for a wrong token, never records it as delivered there, and fails it after the configured attempts', async () => {
    await setUp({ receiverToken: 'the-right-token' });
    const file = join(dir, 'wrong-token.jsonl');
    await start({ ...splunkEnv(HEC_TOKEN), MCPG_AUDIT_FILE: file, EXPORTER_ATTEMPTS: '3', EXPORTER_SINK_QUEUES: 'always' });
    const events = [auditEvent(), auditEvent()];
    for (const event of events) writer.write(event);
    await writer.drain();

    await waitUntil(async () => (await sinkQueue('splunk-hec').getJobState(events[0]!.id)) === 'failed', 'the HEC delivery to fail');
    const job = await sinkQueue('splunk-hec').getJob(events[0]!.id);
    expect(job?.attemptsMade).toBe(3);
    expect(job?.failedReason).toContain('HTTP 403, HEC code 4 "Invalid token"');
    expect(job?.failedReason).not.toContain(HEC_TOKEN);
    expect(receiver.requests).toBe(3);
    expect(receiver.events).toEqual([]);
    // The fan-out completed at once, handing the batch to both sinks; the file took it once.
    expect(await jobState(events[0]!.id)).toBe('completed');
    expect((await queue.getJob(events[0]!.id))?.returnvalue).toEqual({ events: 2, sinks: ['splunk-hec', 'jsonl-file'] });
    expect(await sinkQueue('jsonl-file').getJobState(events[0]!.id)).toBe('completed');
    expect(await readJsonLines(file)).toEqual(events);
    expect(logs.some((line) => line.includes('failed for good'))).toBe(true);
    expect(logs.join('\n')).not.toContain(HEC_TOKEN);
  });

  it('writes one JSON line per event, creating the directories', async () => {
    await setUp({ maxBatchSize: 4 });
    const file = join(dir, 'nested', 'deeper', 'audit.jsonl');
    await start({ MCPG_AUDIT_FILE: file });
    const events = Array.from({ length: 9 }, (_, i) => auditEvent({ kind: i === 0 ? 'tool.denied' : 'request', decision: i === 0 ? 'deny' : 'allow' }));
    for (const event of events) writer.write(event);
    await writer.drain();

    // A single destination: the first stage delivers directly (no per-sink queue).
    await waitUntil(async () => (await queue.getCompletedCount()) === 3, 'three completed batches');
    expect(await sinkQueue('jsonl-file').count()).toBe(0);
    const lines = await readJsonLines(file);
    expect(lines).toHaveLength(9);
    expect(lines).toEqual(expect.arrayContaining(events));
  });

  it('fails a malformed job once without retrying it, and keeps delivering valid batches', async () => {
    await setUp();
    await start(splunkEnv());
    await queue.add(AUDIT_BATCH_JOB_NAME, { events: [{ id: 'not-an-audit-event' }] }, { jobId: 'malformed-1', attempts: 20, backoff: { type: AUDIT_EXPORT_BACKOFF_TYPE } });
    await waitUntil(async () => (await jobState('malformed-1')) === 'failed', 'the malformed job to fail');
    const malformed = await queue.getJob('malformed-1');
    expect(malformed?.attemptsMade).toBe(1);
    expect(malformed?.failedReason).toMatch(/^invalid audit batch: events\.0\./);
    expect(logs.some((line) => line.includes('not a valid batch'))).toBe(true);

    const event = auditEvent();
    writer.write(event);
    await writer.drain();
    expect((await receiver.waitForEvents(1)).map((e) => e.event)).toEqual([event]);
    expect(receiver.requests).toBe(1);
  });
});
