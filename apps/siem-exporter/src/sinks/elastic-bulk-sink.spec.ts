import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { auditEventFixture, startElasticReceiver, type ElasticReceiver } from '@mcpg/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { deliveryError } from './delivery-error.fixture.js';
import { ElasticBulkSink, type ElasticBulkSinkOptions } from './elastic-bulk-sink.js';

const API_KEY = { id: 'VuaCfGcBCdbkQm-e5aOx', key: 'ui2lp2axTNmsyakw9tvNnw' };
const ENCODED_API_KEY = Buffer.from(`${API_KEY.id}:${API_KEY.key}`).toString('base64');


describe('ElasticBulkSink', () => {
  let receiver: ElasticReceiver;
  let sink: ElasticBulkSink;
  const sinkFor = (options: Partial<ElasticBulkSinkOptions> = {}) =>
    (sink = new ElasticBulkSink({ url: receiver.url, auth: { apiKey: ENCODED_API_KEY }, index: 'mcpg-audit', timeoutMs: 2000, ...options }));

  afterEach(async () => {
    await sink?.close();
    await receiver?.close();
  });

  it('creates one ECS document per event with the event id as _id, in one _bulk request', async () => {
    receiver = await startElasticReceiver({ apiKey: API_KEY });
    const events = [auditEventFixture(), auditEventFixture({ kind: 'tool.denied', decision: 'deny', reason: 'no_matching_rule', ruleId: null })];
    await sinkFor().deliver(events);
    expect(receiver.requests).toBe(1);
    expect(receiver.documents.map((d) => [d.index, d.id])).toEqual(events.map((e) => ['mcpg-audit', e.id]));
    expect(receiver.documents[1]!.source).toMatchObject({
      '@timestamp': events[1]!.time,
      event: { id: events[1]!.id, action: 'tool.denied', outcome: 'failure', reason: 'no_matching_rule', type: ['access', 'denied'] },
      user: { name: 'ci-bot', id: 'key-1' },
      source: { ip: '127.0.0.1' },
      organization: { id: 'tenant-a' },
      mcpg: { tool: 'echo', snapshot_version: 3, decision: 'deny' },
    });
  });

  it('sends a retried batch without duplicating: 409 on create counts as delivered', async () => {
    receiver = await startElasticReceiver({ apiKey: API_KEY });
    const events = Array.from({ length: 3 }, () => auditEventFixture());
    await sinkFor().deliver(events);
    await sink.deliver(events);
    expect(receiver.conflicts).toBe(3);
    expect(receiver.documents).toHaveLength(3);
  });

  it('writes to a data stream, which accepts only create with @timestamp', async () => {
    receiver = await startElasticReceiver({ basic: { username: 'mcpg', password: 'pw-123' }, dataStreams: ['logs-mcpg.audit-default'] });
    await sinkFor({ auth: { username: 'mcpg', password: 'pw-123' }, index: 'logs-mcpg.audit-default' }).deliver([auditEventFixture()]);
    expect(receiver.indices.get('logs-mcpg.audit-default')?.size).toBe(1);
  });

  it('reports the items refused in a 200 errors:true reply so only they are retried', async () => {
    receiver = await startElasticReceiver({ apiKey: API_KEY });
    const events = Array.from({ length: 5 }, () => auditEventFixture());
    receiver.rejectItems(2, 429, (id) => id === events[1]!.id || id === events[3]!.id);
    const err = await deliveryError(sinkFor().deliver(events));
    expect(err.status).toBe(200);
    expect(err.undeliveredIds).toEqual([events[1]!.id, events[3]!.id]);
    expect(err.message).toContain('refused 2 of 5 items (2× 429 es_rejected_execution_exception)');
    expect(receiver.documents).toHaveLength(3);

    await sink.deliver(events.filter((e) => err.undeliveredIds!.includes(e.id)));
    expect(receiver.documents.map((d) => d.id).sort()).toEqual(events.map((e) => e.id).sort());
    expect(receiver.conflicts).toBe(0);
  });

  it('fails the whole batch on 429, 5xx and wrong credentials, never echoing the credentials', async () => {
    receiver = await startElasticReceiver({ apiKey: API_KEY });
    receiver.failNextRequests(1, 429);
    expect((await deliveryError(sinkFor().deliver([auditEventFixture()]))).message).toContain('answered HTTP 429, es_rejected_execution_exception');
    receiver.failNextRequests(1, 500);
    expect((await deliveryError(sink.deliver([auditEventFixture()]))).status).toBe(500);
    await sink.close();
    const wrong = await deliveryError(sinkFor({ auth: { apiKey: 'd3Jvbmc6a2V5' } }).deliver([auditEventFixture()]));
    expect(wrong.message).toContain('HTTP 401, security_exception');
    expect(wrong.message).not.toContain('d3Jvbmc6a2V5');
    expect(receiver.documents).toEqual([]);
  });

  it('fails when the reply is not a bulk response with one item per event', async () => {
    const fake = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"took":1,"errors":false,"items":[]}'));
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    receiver = await startElasticReceiver();
    try {
      const err = await deliveryError(sinkFor({ url: `http://127.0.0.1:${(fake.address() as AddressInfo).port}` }).deliver([auditEventFixture()]));
      expect(err.message).toContain('without one item result per event');
    } finally {
      fake.close();
    }
  });
});
