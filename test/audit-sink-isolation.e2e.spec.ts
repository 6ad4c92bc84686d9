import { AUDIT_DELIVERY_JOB_NAME, AUDIT_EXPORT_BACKOFF_TYPE, AuditQueueWriter, auditSinkQueueName, sinkSecretsKey, type AuditEvent, type SinkDeliveryJob } from '@mcpg/audit';
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneHarness } from '../apps/control-plane/src/testing/control-plane-harness.js';
import type { SiemExporter } from '../apps/siem-exporter/src/siem-exporter.js';
import { startExporterFor } from './support/apps-for-control-plane.js';

// Back-pressure isolation (issue 5): one slow tenant's sink does not hold up the others. Tenant A's
// sink (Elastic) hangs, then fails with 500s; tenant B's sink (a webhook) and the exporter-wide sink
// (HEC) keep receiving every event meanwhile. Asserted by counts while A's requests are held open,
// never by timing.
const HEC_TOKEN = 'isolation-hec-token';
const ES_KEY = { id: 'tenant-a-es', key: 'tenant-a-es-secret-value' };
const HOOK_SECRET = 'tenant-b-webhook-hmac-secret';

const ids = (events: readonly { id: string }[]) => events.map((e) => e.id).sort();

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('per-sink delivery isolation', () => {
  let cp: ControlPlaneHarness;
  let hec: HecReceiver;
  let elastic: ElasticReceiver;
  let webhook: WebhookReceiver;
  let exporter: SiemExporter;
  let redis: Redis;
  let writer: AuditQueueWriter;
  const tenants = { a: '', b: '' };
  const sinks = { a: '', b: '' };

  beforeAll(async () => {
    cp = await ControlPlaneHarness.start('sink_isolation');
    hec = await startHecReceiver({ token: HEC_TOKEN });
    elastic = await startElasticReceiver({ apiKey: ES_KEY });
    webhook = await startWebhookReceiver({ secret: HOOK_SECRET });
    tenants.a = (await cp.createTenant('isolation-a')).id;
    tenants.b = (await cp.createTenant('isolation-b')).id;
    const create = 'mutation($i: CreateAuditSinkInput!) { createAuditSink(input: $i) { id } }';
    sinks.a = (
      await cp.ok<{ createAuditSink: { id: string } }>(create, {
        i: { tenantId: tenants.a, name: 'slow-elastic', kind: 'elastic', url: elastic.url, index: 'tenant-a', secret: Buffer.from(`${ES_KEY.id}:${ES_KEY.key}`).toString('base64') },
      })
    ).createAuditSink.id;
    sinks.b = (await cp.ok<{ createAuditSink: { id: string } }>(create, { i: { tenantId: tenants.b, name: 'hook', kind: 'webhook', url: webhook.url, secret: HOOK_SECRET } })).createAuditSink.id;
    await until(async () => (await cp.redis.hlen(sinkSecretsKey(cp.names))) === 2, 'both sealed sink secrets in redis');

    redis = new Redis(cp.config.redisUrl, { maxRetriesPerRequest: null });
    writer = new AuditQueueWriter({ connection: redis, names: cp.names, maxBatchSize: 4, flushIntervalMs: 10 });
    exporter = await startExporter();
  });

  const startExporter = () =>
    startExporterFor(
      cp,
      {
        SPLUNK_HEC_URL: hec.url,
        SPLUNK_HEC_TOKEN: HEC_TOKEN,
        // Held requests must outlast the test: A's sink hangs rather than times out.
        MCPG_TENANT_SINK_TIMEOUT_MS: '60000',
        EXPORTER_CONCURRENCY: '2',
        EXPORTER_SINK_CONCURRENCY: '2',
        EXPORTER_BACKOFF_MS: '10',
        EXPORTER_BACKOFF_MAX_MS: '50',
        EXPORTER_ATTEMPTS: '50',
      },
      { tenantSinks: true },
    );

  afterAll(async () => {
    await exporter?.close();
    await writer?.close();
    redis?.disconnect();
    await hec?.close();
    await elastic?.close();
    await webhook?.close();
    await cp?.close();
  });

  // The control plane's own admin.change events (creating the sinks) travel the same pipeline.
  const proxyEvents = <T extends { kind?: string; event?: unknown }>(list: readonly T[]) => list.filter((e) => ((e.event as AuditEvent | undefined) ?? e).kind !== 'admin.change');
  const elasticProxyDocs = () => elastic.documents.filter((d) => (d.source.event as { action: string }).action !== 'admin.change');
  const hecProxyEvents = () => proxyEvents(hec.events).map((e) => e.event as AuditEvent);
  const hookProxyEvents = () => proxyEvents(webhook.events as AuditEvent[]);

  it("keeps delivering tenant B's events and the exporter-wide sink's while tenant A's sink hangs, then catches A up", async () => {
    elastic.gate.hold();
    // Mixed batches (4 events: A, B, A, B), as a proxy serving both tenants writes them.
    const events = Array.from({ length: 40 }, (_, i) => auditEventFixture({ tenantId: i % 2 ? tenants.b : tenants.a, rpcId: i }));
    const ofA = events.filter((e) => e.tenantId === tenants.a);
    const ofB = events.filter((e) => e.tenantId === tenants.b);
    for (const event of events) writer.write(event);
    await writer.drain();

    await until(() => hookProxyEvents().length >= ofB.length, "all of B's events at B's webhook");
    await until(() => hecProxyEvents().length >= events.length, 'every event at the exporter-wide HEC');
    // B and HEC are complete while A's sink still holds its requests open and has indexed nothing.
    expect(elastic.gate.held).toBeGreaterThan(0);
    expect(elasticProxyDocs()).toHaveLength(0);
    expect(ids(hookProxyEvents())).toEqual(ids(ofB));
    expect(new Set(hecProxyEvents().map((e) => e.id))).toEqual(new Set(events.map((e) => e.id)));
    // A's backlog sits in A's own queue, not in anyone else's.
    const aQueue = new Queue(auditSinkQueueName(`tenant-sink:${sinks.a}`), { connection: redis, prefix: cp.names.bullPrefix });
    const bQueue = new Queue(auditSinkQueueName(`tenant-sink:${sinks.b}`), { connection: redis, prefix: cp.names.bullPrefix });
    try {
      const pendingA = await aQueue.getJobCounts('wait', 'active', 'delayed');
      expect((pendingA.wait ?? 0) + (pendingA.active ?? 0) + (pendingA.delayed ?? 0)).toBeGreaterThan(0);
      const pendingB = await bQueue.getJobCounts('wait', 'active', 'delayed');
      expect(pendingB).toEqual({ wait: 0, active: 0, delayed: 0 });
    } finally {
      await aQueue.close();
      await bQueue.close();
    }

    elastic.gate.release();
    await until(() => elasticProxyDocs().length >= ofA.length, "all of A's events at A's Elastic");
    expect(ids(elasticProxyDocs())).toEqual(ids(ofA));
    expect(elasticProxyDocs().every((d) => d.index === 'tenant-a')).toBe(true);
    expect(ids(hookProxyEvents())).toEqual(ids(ofB));
  });

  it("keeps delivering B's events while A's sink fails with 500s, and A ends with every event exactly once", async () => {
    const before = { a: elasticProxyDocs().length, b: hookProxyEvents().length, hec: hecProxyEvents().length };
    elastic.failNextRequests(1_000, 500);
    const events = Array.from({ length: 24 }, (_, i) => auditEventFixture({ tenantId: i % 2 ? tenants.b : tenants.a, rpcId: 100 + i }));
    const ofA = events.filter((e) => e.tenantId === tenants.a);
    const ofB = events.filter((e) => e.tenantId === tenants.b);
    for (const event of events) writer.write(event);
    await writer.drain();

    await until(() => hookProxyEvents().length >= before.b + ofB.length, "B's new events at B's webhook");
    await until(() => hecProxyEvents().length >= before.hec + events.length, 'the new events at HEC');
    await until(() => elastic.requests > 10, "A's sink to have refused several attempts");
    expect(elasticProxyDocs()).toHaveLength(before.a);

    elastic.clearFailures();
    await until(() => elasticProxyDocs().length >= before.a + ofA.length, "A's new events at A's Elastic after recovery");
    const docIds = elasticProxyDocs().map((d) => d.id);
    expect(new Set(docIds).size).toBe(docIds.length);
    for (const event of ofA) expect(docIds).toContain(event.id);
  });

  const queueOf = (sinkId: string) => new Queue(auditSinkQueueName(`tenant-sink:${sinkId}`), { connection: redis, prefix: cp.names.bullPrefix });

  it("drains a tenant sink's queue left with jobs while no exporter ran, without new events for that tenant", async () => {
    const before = elasticProxyDocs().length;
    await exporter.close();
    // Deliveries a stopped exporter left in A's queue (as its fan-out adds them).
    const events = Array.from({ length: 6 }, (_, i) => auditEventFixture({ tenantId: tenants.a, rpcId: 200 + i }));
    const aQueue = queueOf(sinks.a);
    try {
      for (const part of [events.slice(0, 3), events.slice(3)]) {
        await aQueue.add(AUDIT_DELIVERY_JOB_NAME, { batchId: part[0]!.id, sink: `tenant-sink:${sinks.a}`, tenantId: tenants.a, events: part } satisfies SinkDeliveryJob, {
          jobId: part[0]!.id,
          attempts: 5,
          backoff: { type: AUDIT_EXPORT_BACKOFF_TYPE },
        });
      }
      // A new exporter has no events for A to fan out: its start-up sweep finds A's queue.
      exporter = await startExporter();
      await until(() => elasticProxyDocs().length >= before + events.length, "A's queued events after the restart");
      expect(ids(elasticProxyDocs().slice(before))).toEqual(ids(events));
      expect(await aQueue.getCompletedCount()).toBeGreaterThanOrEqual(2);
    } finally {
      await aQueue.close();
    }
  });

  it("keeps the queued deliveries of a sink its tenant deleted as dead letters, and delivers what was in flight", async () => {
    const before = elasticProxyDocs().length;
    const aQueue = queueOf(sinks.a);
    const ended = async () => (await aQueue.getCompletedCount()) + (await aQueue.getFailedCount());
    const endedBefore = await ended();
    elastic.gate.hold();
    const events = Array.from({ length: 12 }, (_, i) => auditEventFixture({ tenantId: tenants.a, rpcId: 300 + i }));
    for (const event of events) writer.write(event);
    await writer.drain();
    await elastic.gate.waitForHeld(2);
    try {
      await until(async () => (await aQueue.getWaitingCount()) > 0, "A's queue to hold waiting deliveries");
      await cp.ok('mutation($id: ID!) { deleteAuditSink(id: $id) { id } }', { id: sinks.a });
      elastic.gate.release();
      const jobs = events.length / 4;
      await until(async () => (await ended()) >= endedBefore + jobs, "every delivery of A's batches to end");
      const failed = (await aQueue.getFailed()).filter((job) => ids(job.data.events).every((id: string) => events.some((e) => e.id === id)));
      expect(failed.length).toBeGreaterThan(0);
      for (const job of failed) {
        expect(job.failedReason).toContain('no longer listed in the snapshot');
        expect(job.attemptsMade).toBe(1);
      }
      // What was in flight when the sink was deleted was delivered; nothing was dropped silently.
      const delivered = elasticProxyDocs().slice(before).map((d) => d.id);
      const deadLettered = failed.flatMap((job) => job.data.events.map((e: AuditEvent) => e.id));
      expect([...delivered, ...deadLettered].sort()).toEqual(ids(events));
      const listed = (await cp.ok<{ tenantAuditDeadLetters: { nodes: { id: string; sink: string }[] } }>(
        'query($t: ID!) { tenantAuditDeadLetters(tenantId: $t, first: 50) { nodes { id sink } } }',
        { t: tenants.a },
      )).tenantAuditDeadLetters.nodes;
      expect(listed.filter((n) => failed.some((job) => n.id === `tenant-sink:${sinks.a}/${job.id}`))).toHaveLength(failed.length);
    } finally {
      await aQueue.close();
    }
  });
});
