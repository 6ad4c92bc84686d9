import { randomBytes } from 'node:crypto';
import { busNames } from '@mcpg/bus';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditBatch, AuditEvent } from './audit-event.js';
import { AUDIT_EXPORT_BACKOFF_TYPE } from './audit-export-backoff.js';
import { AuditQueueWriter } from './audit-queue-writer.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@mcpg/observability';
import { auditEventFixture, startPrivateRedis, type PrivateRedis } from '@mcpg/testing';
import { AuditSpool } from './audit-spool.js';
import type { AuditRefusalSummary } from './audit-queue-writer.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const filePrefix = `mcpg-test-audit-writer-${randomBytes(4).toString('hex')}:`;
let testNumber = 0;

function auditEvent(): AuditEvent {
  return auditEventFixture({ proxyId: 'proxy-1', rpcId: 1, traceId: null, time: new Date().toISOString() });
}

describe('AuditQueueWriter', () => {
  let redis: Redis;
  let writer: AuditQueueWriter;
  let queue: Queue<AuditBatch>;

  beforeAll(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  });

  function open(maxBatchSize: number) {
    const names = busNames(`${filePrefix}${++testNumber}:`);
    writer = new AuditQueueWriter({ connection: redis, names, maxBatchSize, flushIntervalMs: 60_000, maxAttempts: 7 });
    queue = new Queue<AuditBatch>(names.auditQueue, { connection: redis, prefix: names.bullPrefix });
  }

  afterEach(async () => {
    await writer.close();
    await queue.close();
  });

  afterAll(async () => {
    const keys = await redis.keys(`${filePrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('adds one job per full batch, keyed by the first event id, with the exporter-timed retry policy', async () => {
    open(3);
    const events = Array.from({ length: 7 }, auditEvent);
    for (const event of events) writer.write(event);
    await writer.drain();

    const jobs = await queue.getJobs(['waiting']);
    expect(jobs.map((job) => job.data.events.length).sort()).toEqual([1, 3, 3]);
    expect(jobs.flatMap((job) => job.data.events.map((e) => e.id)).sort()).toEqual(events.map((e) => e.id).sort());
    for (const job of jobs) {
      expect(job.id).toBe(job.data.events[0]!.id);
      expect(job.opts.attempts).toBe(7);
      expect(job.opts.backoff).toEqual({ type: AUDIT_EXPORT_BACKOFF_TYPE });
      expect(job.opts.removeOnFail).toBe(false);
    }
    expect(jobs.find((job) => job.id === events[0]!.id)?.data.events).toEqual(events.slice(0, 3));
  });

  it('queues a partial batch on drain', async () => {
    open(100);
    const event = auditEvent();
    writer.write(event);
    expect(await queue.count()).toBe(0);
    await writer.drain();
    expect((await queue.getJob(event.id))?.data).toEqual({ events: [event] });
  });

  it('does not queue the same batch twice', async () => {
    open(2);
    const events = [auditEvent(), auditEvent()];
    for (const event of events) writer.write(event);
    await writer.drain();
    for (const event of events) writer.write(event);
    await writer.drain();
    expect(await queue.count()).toBe(1);
  });

  describe('with a spool, while Redis is down', () => {
    let privateRedis: PrivateRedis;
    let dir: string;

    beforeAll(async () => {
      privateRedis = await startPrivateRedis();
      dir = await mkdtemp(join(tmpdir(), 'mcpg-writer-spool-'));
    });
    afterAll(async () => {
      await privateRedis.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('spools what it cannot queue, refuses and counts what does not fit, and replays in order when Redis returns', async () => {
      const connection = new Redis(privateRedis.url, { maxRetriesPerRequest: 0, enableOfflineQueue: false });
      connection.on('error', () => {});
      const names = busNames('spool-test:');
      const one = JSON.stringify({ events: [auditEvent()] }).length + 1;
      const observed = { spooled: 0, refused: 0, replayed: 0, summaries: [] as AuditRefusalSummary[] };
      const spooling = new AuditQueueWriter({
        connection,
        names,
        maxBatchSize: 1,
        flushIntervalMs: 10,
        spool: new AuditSpool({ path: join(dir, 'spool.jsonl'), maxBytes: one * 3 + 20 }),
        addTimeoutMs: 200,
        replayIntervalMs: 30,
        logger: createLogger({}, 'error', () => {}),
        spoolObserver: {
          spooled: (n) => (observed.spooled += n),
          refused: (events) => (observed.refused += events.length),
          replayed: (n) => (observed.replayed += n),
          refusalsEnded: (summary) => observed.summaries.push(summary),
        },
      });
      const spoolQueue = new Queue<AuditBatch>(names.auditQueue, { connection: new Redis(privateRedis.url), prefix: names.bullPrefix });
      spoolQueue.on('error', () => {}); // the test stops its Redis on purpose
      try {
        await privateRedis.stop();
        const events = Array.from({ length: 5 }, auditEvent);
        for (const event of events) spooling.write(event);
        await spooling.drain();
        expect(observed).toMatchObject({ spooled: 3, refused: 2 });
        expect(spooling.spoolBacklogBytes).toBeGreaterThan(0);

        await privateRedis.start();
        await spooling.waitForSpoolReplay(10_000);
        expect(observed.replayed).toBe(3);
        expect(observed.summaries).toEqual([{ events: 2, firstEventId: events[3]!.id, lastEventId: events[4]!.id }]);
        const jobs = await spoolQueue.getJobs(['waiting']);
        expect(jobs.map((job) => job.data.events[0]!.id).sort()).toEqual(events.slice(0, 3).map((e) => e.id).sort());
      } finally {
        await spooling.close();
        await spoolQueue.close();
        connection.disconnect();
      }
    });
  });
});
