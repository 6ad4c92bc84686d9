import { AUDIT_BATCH_JOB_NAME, AUDIT_EXPORT_BACKOFF_TYPE, AuditQueueWriter, sinkSecretsKey, type AuditEvent } from '@mcpg/audit';
import { auditEventFixture, startElasticReceiver, startHecReceiver, startWebhookReceiver, type ElasticReceiver, type HecReceiver, type WebhookReceiver } from '@mcpg/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneHarness } from '../apps/control-plane/src/testing/control-plane-harness.js';
import type { SiemExporter } from '../apps/siem-exporter/src/siem-exporter.js';
import { startExporterFor } from './support/apps-for-control-plane.js';

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
    exporter = await startExporterFor(cp, { SPLUNK_HEC_URL: hec.url, SPLUNK_HEC_TOKEN: HEC_TOKEN, EXPORTER_ATTEMPTS: '2', EXPORTER_BACKOFF_MS: '10', EXPORTER_BACKOFF_MAX_MS: '20' });
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

// Per-sink dead letters (issue 5): a tenant sink's deliveries that ran out of attempts stay in
// that sink's queue; platform admins list them with the rest, the tenant's own admins list and
// replay only theirs, and a replay goes to that sink only.
describe('per-sink audit dead letters', () => {
  const ES_KEY = { id: 'dl-es', key: 'dl-es-secret-value' };
  const HOOK_SECRET = 'dead-letter-hook-secret-0123';
  const FIELDS = 'id sink sinkTenantId failedReason attemptsMade eventCount tenantIds deliveredTo';
  const TENANT_LIST = `query($t: ID!) { tenantAuditDeadLetters(tenantId: $t, first: 10) { totalCount nodes { ${FIELDS} } } }`;
  const TENANT_REPLAY = 'mutation($t: ID!, $id: ID!) { replayTenantAuditDeadLetter(tenantId: $t, id: $id) { id sink eventCount } }';
  interface Node { id: string; sink: string | null; sinkTenantId: string | null; failedReason: string; attemptsMade: number; eventCount: number; tenantIds: string[]; deliveredTo: string[] }
  let cp: ControlPlaneHarness;
  let hec: HecReceiver;
  let elastic: ElasticReceiver;
  let webhook: WebhookReceiver;
  let exporter: SiemExporter;
  let redis: Redis;
  let writer: AuditQueueWriter;
  const tenants = { a: '', b: '' };
  const tokens = { adminA: '', viewerA: '', adminB: '' };
  let sinkA = '';

  beforeAll(async () => {
    cp = await ControlPlaneHarness.start('dead_letters_sinks');
    hec = await startHecReceiver({ token: HEC_TOKEN });
    elastic = await startElasticReceiver({ apiKey: ES_KEY });
    webhook = await startWebhookReceiver({ secret: HOOK_SECRET });
    tenants.a = (await cp.createTenant('dl-a')).id;
    tenants.b = (await cp.createTenant('dl-b')).id;
    const create = 'mutation($i: CreateAuditSinkInput!) { createAuditSink(input: $i) { id } }';
    sinkA = (
      await cp.ok<{ createAuditSink: { id: string } }>(create, {
        i: { tenantId: tenants.a, name: 'es', kind: 'elastic', url: elastic.url, index: 'dl-a', secret: Buffer.from(`${ES_KEY.id}:${ES_KEY.key}`).toString('base64') },
      })
    ).createAuditSink.id;
    await cp.ok(create, { i: { tenantId: tenants.b, name: 'hook', kind: 'webhook', url: webhook.url, secret: HOOK_SECRET } });
    await until(async () => (await cp.redis.hlen(sinkSecretsKey(cp.names))) === 2, 'both sealed sink secrets in redis');
    tokens.adminA = (await cp.createAdminToken('TENANT_ADMIN', tenants.a)).secret;
    tokens.viewerA = (await cp.createAdminToken('TENANT_VIEWER', tenants.a)).secret;
    tokens.adminB = (await cp.createAdminToken('TENANT_ADMIN', tenants.b)).secret;
    redis = new Redis(cp.config.redisUrl, { maxRetriesPerRequest: null });
    writer = new AuditQueueWriter({ connection: redis, names: cp.names, maxBatchSize: 2, flushIntervalMs: 10 });
    exporter = await startExporterFor(
      cp,
      {
        SPLUNK_HEC_URL: hec.url,
        SPLUNK_HEC_TOKEN: HEC_TOKEN,
        EXPORTER_ATTEMPTS: '2',
        EXPORTER_BACKOFF_MS: '10',
        EXPORTER_BACKOFF_MAX_MS: '20',
        // Replays into an idle queue are picked up by the sweep.
        EXPORTER_SINK_SWEEP_MS: '100',
      },
      { tenantSinks: true },
    );
  });

  afterAll(async () => {
    await exporter?.close();
    await writer?.close();
    redis?.disconnect();
    await hec?.close();
    await elastic?.close();
    await webhook?.close();
    await cp?.close();
  });

  it("lists a tenant sink's dead letters for platform admins and that tenant only, and replays them into that sink alone", async () => {
    const events: AuditEvent[] = Array.from({ length: 4 }, (_, i) => auditEventFixture({ tenantId: i % 2 ? tenants.b : tenants.a, rpcId: i }));
    const ofA = events.filter((e) => e.tenantId === tenants.a).map((e) => e.id);
    // A's Elastic refuses exactly A's two events on both attempts (item 400), nothing else.
    elastic.rejectItems(4, 400, (id) => ofA.includes(id));
    for (const event of events) writer.write(event);
    await writer.drain();
    const isProxyEvent = (e: AuditEvent) => e.kind !== 'admin.change';
    await until(async () => (await cp.ok<Page>(LIST, { first: 10 })).auditDeadLetters.totalCount === 2, "two dead letters in A's sink queue");

    const all = (await cp.ok<{ auditDeadLetters: { nodes: Node[] } }>(`query { auditDeadLetters(first: 10) { nodes { ${FIELDS} } } }`)).auditDeadLetters.nodes;
    const sink = `tenant-sink:${sinkA}`;
    expect(all.map((n) => n.id).sort()).toEqual(ofA.map((id) => `${sink}/${id}`).sort());
    for (const node of all) {
      expect(node).toMatchObject({ sink, sinkTenantId: tenants.a, attemptsMade: 2, eventCount: 1, tenantIds: [tenants.a], deliveredTo: [] });
      expect(node.failedReason).toContain('refused 1 of 1 items (1× 400 mapper_parsing_exception)');
      expect(node.failedReason).not.toContain(ES_KEY.key);
    }
    // B's webhook and the exporter-wide HEC have everything meanwhile.
    await until(() => hec.events.map((e) => e.event as AuditEvent).filter(isProxyEvent).length === 4, 'every event at HEC');
    await until(() => (webhook.events as AuditEvent[]).filter(isProxyEvent).length === 2, "B's events at B's webhook");

    // A's admin sees A's dead letters; B's admin sees none of them and cannot name them.
    const ofTenantA = (await cp.ok<{ tenantAuditDeadLetters: { totalCount: number; nodes: Node[] } }>(TENANT_LIST, { t: tenants.a }, tokens.adminA)).tenantAuditDeadLetters;
    expect(ofTenantA.totalCount).toBe(2);
    expect(ofTenantA.nodes.map((n) => n.id).sort()).toEqual(all.map((n) => n.id).sort());
    expect((await cp.ok<{ tenantAuditDeadLetters: { totalCount: number } }>(TENANT_LIST, { t: tenants.b }, tokens.adminB)).tenantAuditDeadLetters.totalCount).toBe(0);
    expect((await cp.graphql(TENANT_LIST, { t: tenants.a }, tokens.adminB)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await cp.graphql(LIST, { first: 10 }, tokens.adminA)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await cp.graphql(TENANT_REPLAY, { t: tenants.b, id: all[0]!.id }, tokens.adminB)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await cp.graphql(TENANT_REPLAY, { t: tenants.a, id: all[0]!.id }, tokens.viewerA)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // A's admin replays one, then all: each goes to A's Elastic only, exactly once.
    const hecBefore = hec.events.length;
    const docs = () => elastic.documents.filter((d) => (d.source.event as { action: string }).action !== 'admin.change').map((d) => d.id);
    const replayed = await cp.ok<{ replayTenantAuditDeadLetter: { id: string; sink: string; eventCount: number } }>(TENANT_REPLAY, { t: tenants.a, id: all[0]!.id }, tokens.adminA);
    expect(replayed.replayTenantAuditDeadLetter).toEqual({ id: all[0]!.id, sink, eventCount: 1 });
    await until(() => docs().length === 1, 'the replayed event at A\'s Elastic');
    expect((await cp.ok<{ tenantAuditDeadLetters: { totalCount: number } }>(TENANT_LIST, { t: tenants.a }, tokens.adminA)).tenantAuditDeadLetters.totalCount).toBe(1);
    const all2 = await cp.ok<{ replayAllTenantAuditDeadLetters: number }>('mutation($t: ID!) { replayAllTenantAuditDeadLetters(tenantId: $t) }', { t: tenants.a }, tokens.adminA);
    expect(all2.replayAllTenantAuditDeadLetters).toBe(1);
    await until(() => docs().length === 2, "both of A's events at A's Elastic");
    expect(docs().sort()).toEqual([...ofA].sort());
    expect((await cp.ok<Page>(LIST, { first: 10 })).auditDeadLetters.totalCount).toBe(0);
    // The replays did not go to HEC again (its only new events are the replays' admin changes).
    expect(hec.events.slice(hecBefore).every((e) => (e.event as AuditEvent).kind === 'admin.change')).toBe(true);
  });
});
