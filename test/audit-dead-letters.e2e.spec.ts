import { AUDIT_BATCH_JOB_NAME, AUDIT_EXPORT_BACKOFF_TYPE, AuditQueueWriter, type AuditEvent } from '@mcpg/audit';
import { createLogger } from '@mcpg/observability';
import { auditEventFixture, startHecReceiver, type HecReceiver } from '@mcpg/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneHarness } from '../apps/control-plane/src/testing/control-plane-harness.js';
import { loadSiemExporterConfig } from '../apps/siem-exporter/src/config.js';
import { startSiemExporter, type SiemExporter } from '../apps/siem-exporter/src/siem-exporter.js';

// Dead letters end to end (issue 5): batches the exporter gives up on are listed through GraphQL
// and replayed into the real exporter, which then delivers them.
const HEC_TOKEN = 'dead-letter-hec-token';
const LIST = `query($first: Int, $after: String) {
  auditDeadLetters(first: $first, after: $after) {
    totalCount nextCursor
    nodes { id failedReason attemptsMade failedAt eventCount firstEventTime lastEventTime tenantIds deliveredTo }
  }
}`;
const REPLAY = 'mutation($id: ID!) { replayAuditDeadLetter(id: $id) { id eventCount } }';

interface Page {
  auditDeadLetters: { totalCount: number; nextCursor: string | null; nodes: { id: string; failedReason: string; attemptsMade: number; eventCount: number; tenantIds: string[]; deliveredTo: string[] }[] };
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('audit dead letters', () => {
  let cp: ControlPlaneHarness;
  let hec: HecReceiver;
  let exporter: SiemExporter;
  let redis: Redis;
  let writer: AuditQueueWriter;
  let queue: Queue;

  beforeAll(async () => {
    cp = await ControlPlaneHarness.start('dead_letters');
    hec = await startHecReceiver({ token: HEC_TOKEN });
    redis = new Redis(cp.config.redisUrl, { maxRetriesPerRequest: null });
    writer = new AuditQueueWriter({ connection: redis, names: cp.names, maxBatchSize: 2, flushIntervalMs: 10 });
    queue = new Queue(cp.names.auditQueue, { connection: redis, prefix: cp.names.bullPrefix });
    exporter = await startSiemExporter(
      loadSiemExporterConfig({ REDIS_URL: cp.config.redisUrl, MCPG_REDIS_KEY_PREFIX: cp.config.redisKeyPrefix, SPLUNK_HEC_URL: hec.url, SPLUNK_HEC_TOKEN: HEC_TOKEN, EXPORTER_ATTEMPTS: '2', EXPORTER_BACKOFF_MS: '10', EXPORTER_BACKOFF_MAX_MS: '20' }),
      createLogger({ app: 'exporter' }, 'error', () => {}),
    );
  });

  afterAll(async () => {
    await exporter?.close();
    await writer?.close();
    await queue?.close();
    await hec?.close();
    const keys = await redis.keys(`${cp.config.redisKeyPrefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await cp?.close();
  });

  it('lists failed batches with their reason, pages through them, and replays one into the exporter, which delivers it', async () => {
    hec.failNextRequests(6); // three batches × two attempts each
    const events: AuditEvent[] = Array.from({ length: 6 }, (_, i) => auditEventFixture({ tenantId: i % 2 ? 'tenant-b' : 'tenant-a' }));
    for (const event of events) writer.write(event);
    await writer.drain();
    await until(async () => (await queue.getFailedCount()) === 3, 'three dead letters');

    const first = (await cp.ok<Page>(LIST, { first: 2 })).auditDeadLetters;
    expect(first.totalCount).toBe(3);
    expect(first.nodes).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = (await cp.ok<Page>(LIST, { first: 2, after: first.nextCursor })).auditDeadLetters;
    expect(second.nodes).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const all = [...first.nodes, ...second.nodes];
    expect(all.map((n) => n.id).sort()).toEqual([events[0]!.id, events[2]!.id, events[4]!.id].sort());
    for (const node of all) {
      expect(node).toMatchObject({ attemptsMade: 2, eventCount: 2, tenantIds: ['tenant-a', 'tenant-b'], deliveredTo: [] });
      expect(node.failedReason).toContain('HEC code 9 "Server is busy"');
      expect(node.failedReason).not.toContain(HEC_TOKEN);
    }

    const replayed = await cp.ok<{ replayAuditDeadLetter: { id: string; eventCount: number } }>(REPLAY, { id: events[2]!.id });
    expect(replayed.replayAuditDeadLetter).toEqual({ id: events[2]!.id, eventCount: 2 });
    // The replay itself is an admin change, audited through the same pipeline.
    const proxyEventIds = () => hec.events.map((e) => e.event as AuditEvent).filter((e) => e.kind !== 'admin.change').map((e) => e.id);
    await until(() => proxyEventIds().length >= 2, 'the replayed batch at HEC');
    expect(proxyEventIds()).toEqual([events[2]!.id, events[3]!.id]);
    expect((await cp.ok<Page>(LIST, { first: 10 })).auditDeadLetters.totalCount).toBe(2);

    expect((await cp.ok<{ replayAllAuditDeadLetters: number }>('mutation { replayAllAuditDeadLetters }')).replayAllAuditDeadLetters).toBe(2);
    await until(() => proxyEventIds().length >= 6, 'every batch at HEC');
    expect(new Set(proxyEventIds())).toEqual(new Set(events.map((e) => e.id)));
    await until(() => hec.events.filter((e) => (e.event as AuditEvent).kind === 'admin.change').length >= 2, 'the admin changes at HEC');
    const changes = hec.events.map((e) => e.event as AuditEvent).filter((e) => e.kind === 'admin.change');
    expect(changes.map((e) => e.change?.action).sort()).toEqual(['replayAllAuditDeadLetters', 'replayAuditDeadLetter']);
    expect((await cp.ok<Page>(LIST, {})).auditDeadLetters).toEqual({ totalCount: 0, nextCursor: null, nodes: [] });
  });

  it('replays a batch that fails again at once only once per call, instead of looping', async () => {
    await queue.add(AUDIT_BATCH_JOB_NAME, { events: [{ id: 'not-an-event' }] }, { jobId: 'malformed-dead-letter', attempts: 5, backoff: { type: AUDIT_EXPORT_BACKOFF_TYPE } });
    await until(async () => (await queue.getJobState('malformed-dead-letter')) === 'failed', 'the malformed batch to fail');
    expect((await cp.ok<{ replayAllAuditDeadLetters: number }>('mutation { replayAllAuditDeadLetters }')).replayAllAuditDeadLetters).toBe(1);
    await until(async () => (await queue.getJobState('malformed-dead-letter')) === 'failed', 'the malformed batch to fail again');
  });

  it('answers an unknown dead letter with NOT_FOUND and a bad cursor with BAD_USER_INPUT', async () => {
    const unknown = await cp.graphql(REPLAY, { id: 'no-such-job' });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
    const badCursor = await cp.graphql(LIST, { after: 'abc' });
    expect(badCursor.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const unauthenticated = await cp.graphql(LIST, {}, null);
    expect(unauthenticated.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
