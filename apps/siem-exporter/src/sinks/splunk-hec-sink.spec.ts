import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuditEvent } from '@mcpg/audit';
import { startHecReceiver, type HecReceiver } from '@mcpg/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditEventFixture } from '@mcpg/testing';
import { deliveryError } from './delivery-error.fixture.js';
import { SplunkHecSink, type SplunkHecSinkOptions } from './splunk-hec-sink.js';

const TOKEN = 'hec-token-0123456789';

const auditEvent = () => auditEventFixture({ kind: 'auth.failure', principal: null, decision: 'deny', reason: 'unknown_key', time: '2026-03-01T12:00:00.000Z' });


async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('SplunkHecSink', () => {
  let receiver: HecReceiver;
  let sink: SplunkHecSink;
  const sinkFor = (options: Partial<SplunkHecSinkOptions> = {}) =>
    (sink = new SplunkHecSink({ url: receiver.url, token: TOKEN, sourcetype: 'mcpg:audit', source: 'mcp-guard', timeoutMs: 2000, ...options }));

  beforeEach(async () => {
    receiver = await startHecReceiver({ token: TOKEN });
  });

  afterEach(async () => {
    await sink.close();
    await receiver.close();
  });

  it('sends a whole batch as one request of HEC event envelopes', async () => {
    const events = [auditEvent(), auditEvent(), auditEvent()];
    await sinkFor().deliver(events);
    expect(receiver.requests).toBe(1);
    expect(receiver.batches).toHaveLength(1);
    expect(receiver.events).toEqual(
      events.map((event) => ({ time: 1772366400, host: 'proxy-eu-1a', source: 'mcp-guard', sourcetype: 'mcpg:audit', event })),
    );
  });

  it('keeps a path prefix of the collector URL and names the index when configured', async () => {
    // A reverse proxy publishing HEC under /splunk.
    const paths: (string | undefined)[] = [];
    const proxied = createServer((req, res) => {
      paths.push(req.url);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"text":"Success","code":0}');
    });
    const url = await listen(proxied);
    try {
      await sinkFor({ url: `${url}/splunk/` }).deliver([auditEvent()]);
    } finally {
      proxied.close();
    }
    expect(paths).toEqual(['/splunk/services/collector/event']);
    await sink.close();
    await sinkFor({ index: 'mcpg_audit' }).deliver([auditEvent()]);
    expect(receiver.events[0]?.index).toBe('mcpg_audit');
  });

  it('fails with the HEC status and code when the token is wrong, without revealing the token', async () => {
    await receiver.close();
    receiver = await startHecReceiver({ token: 'another-token' });
    const err = await deliveryError(sinkFor().deliver([auditEvent()]));
    expect(err).toMatchObject({ sink: 'splunk-hec', code: 'rejected', status: 403 });
    expect(err.message).toBe(`splunk-hec: ${receiver.url}/services/collector/event answered HTTP 403, HEC code 4 "Invalid token"`);
    expect(err.message).not.toContain(TOKEN);
    expect(receiver.events).toEqual([]);
  });

  it('fails while HEC is busy', async () => {
    receiver.failNextRequests(1);
    const err = await deliveryError(sinkFor().deliver([auditEvent()]));
    expect(err).toMatchObject({ code: 'rejected', status: 503 });
    expect(err.message).toContain('HEC code 9 "Server is busy"');
  });

  it('fails when the index is not allowed for the token', async () => {
    await receiver.close();
    receiver = await startHecReceiver({ token: TOKEN, allowedIndexes: ['main'] });
    const err = await deliveryError(sinkFor({ index: 'mcpg_audit' }).deliver([auditEvent()]));
    expect(err).toMatchObject({ status: 400 });
    expect(err.message).toContain('HEC code 7 "Incorrect index"');
  });

  it('fails on an answer that is not from HEC, such as a load balancer error page', async () => {
    const balancer = createServer((_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad Gateway</html>'));
    const url = await listen(balancer);
    try {
      const err = await deliveryError(sinkFor({ url }).deliver([auditEvent()]));
      expect(err.message).toContain('answered HTTP 502, no HEC reply body');
    } finally {
      balancer.close();
    }
  });

  it('fails when the collector is unreachable or does not answer in time', async () => {
    await receiver.close();
    const unreachable = await deliveryError(sinkFor().deliver([auditEvent()]));
    expect(unreachable.code).toBe('unreachable');
    await sink.close();

    const silent = createServer(() => {});
    const url = await listen(silent);
    try {
      const err = await deliveryError(sinkFor({ url, timeoutMs: 200 }).deliver([auditEvent()]));
      expect(err.code).toBe('timeout');
      expect(err.message).toContain('did not answer within 200 ms');
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
    receiver = await startHecReceiver({ token: TOKEN });
  });

  describe('with indexer acknowledgement', () => {
    beforeEach(async () => {
      await receiver.close();
      receiver = await startHecReceiver({ token: TOKEN, ack: true });
    });

    it('counts a batch as delivered only once its ackId is acknowledged on the same channel', async () => {
      const events = [auditEvent(), auditEvent()];
      await sinkFor({ ack: { timeoutMs: 2000, pollMs: 10 } }).deliver(events);
      expect(receiver.events.map((e) => e.event)).toEqual(events);
      expect(receiver.ackPolls).toBeGreaterThanOrEqual(1);
      await sink.deliver([auditEvent()]);
      expect(receiver.events).toHaveLength(3);
    });

    it('fails the attempt when the indexers never acknowledge, so the batch is sent again', async () => {
      receiver.loseNextBatches(1);
      const events = [auditEvent()];
      const err = await deliveryError(sinkFor({ ack: { timeoutMs: 150, pollMs: 20 } }).deliver(events));
      expect(err.code).toBe('timeout');
      expect(err.message).toContain('ackId 0 not acknowledged within 150 ms');
      expect(receiver.events).toEqual([]);
      await sink.deliver(events);
      expect(receiver.events.map((e) => e.event)).toEqual(events);
    });

    it('is refused by a token with acknowledgement on when the sink sends no channel', async () => {
      const err = await deliveryError(sinkFor().deliver([auditEvent()]));
      expect(err.message).toContain('HEC code 10 "Data channel is missing"');
    });

    it('fails when acknowledgement is configured but the token does not return ackIds', async () => {
      await receiver.close();
      receiver = await startHecReceiver({ token: TOKEN });
      const err = await deliveryError(sinkFor({ ack: { timeoutMs: 500, pollMs: 10 } }).deliver([auditEvent()]));
      expect(err.message).toContain('returned no ackId');
    });
  });
});
