import type { AuditEvent } from '@mcpg/audit';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Agent } from 'undici';
import { SinkDeliveryError, type AuditSink } from './audit-sink.js';
import { postToSink } from './sink-request.js';

export interface SplunkHecSinkOptions {
  /** Base URL of the collector, e.g. `https://splunk.example.com:8088`; may include a path prefix. */
  url: string;
  token: string;
  /** Omitted: the token's default index. */
  index?: string;
  sourcetype: string;
  source: string;
  /** Bound on one request, connect to last byte of the reply. */
  timeoutMs: number;
  /** Default `splunk-hec`; set when one exporter writes to several collectors. */
  name?: string;
  /**
   * Indexer acknowledgement (the token must have it enabled): a batch counts as delivered only
   * once `/services/collector/ack` reports its ackId true. Not acknowledged within `timeoutMs`
   * (an indexer lost it), the attempt fails and the batch is sent again: at least once.
   */
  ack?: { timeoutMs: number; pollMs: number };
}

/** Splunk's reply body on the event endpoint: `{"text":"Success","code":0}` or an error code. */
interface HecReply {
  text: string;
  code: number;
  /** With indexer acknowledgement: the id to poll for. */
  ackId?: number;
}

/**
 * Sends a batch as one request to the HEC JSON event endpoint (DESIGN.md §7): one envelope per
 * event, concatenated, with the audit event itself as `event` and its time and proxy as Splunk's
 * `time` and `host`, so searches see the proxy that decided and when.
 *
 * Success is HTTP 2xx with HEC `code` 0; anything else rejects. That includes 4xx answers such as
 * 400 (bad index), 401/403 (missing or wrong token): those are configuration faults an operator
 * fixes while the batch waits in the queue, and the job's bounded attempts end in the failed set
 * rather than in silent loss, so they are retried like an outage.
 */
export class SplunkHecSink implements AuditSink {
  readonly name: string;
  private readonly endpoint: string;
  /** For messages: origin and path only, never credentials in the URL. */
  private readonly endpointLabel: string;
  private readonly authorization: string;
  private readonly dispatcher: Agent;
  private readonly ackEndpoint: string;
  /** One channel per sink instance (Splunk scopes ackIds to a channel); a GUID, as HEC requires. */
  private readonly headers: Record<string, string>;

  constructor(private readonly options: SplunkHecSinkOptions) {
    this.name = options.name ?? 'splunk-hec';
    const base = options.url.replace(/\/+$/, '');
    this.endpoint = `${base}/services/collector/event`;
    this.ackEndpoint = `${base}/services/collector/ack`;
    const url = new URL(this.endpoint);
    this.endpointLabel = `${url.origin}${url.pathname}`;
    this.authorization = `Splunk ${options.token}`;
    this.headers = {
      authorization: this.authorization,
      'content-type': 'application/json',
      ...(options.ack ? { 'x-splunk-request-channel': randomUUID() } : {}),
    };
    this.dispatcher = new Agent({ headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });
  }

  async deliver(events: readonly AuditEvent[]): Promise<void> {
    const body = events.map((event) => JSON.stringify(this.envelope(event))).join('\n');
    const { statusCode, text } = await postToSink({
      sink: this.name,
      endpointLabel: this.endpointLabel,
      url: this.endpoint,
      headers: this.headers,
      body,
      dispatcher: this.dispatcher,
      timeoutMs: this.options.timeoutMs,
    });
    const reply = parseHecReply(text);
    const detail = reply ? `HEC code ${reply.code} "${reply.text}"` : 'no HEC reply body';
    if (statusCode < 200 || statusCode >= 300) {
      throw new SinkDeliveryError(this.name, 'rejected', `${this.endpointLabel} answered HTTP ${statusCode}, ${detail}`, statusCode);
    }
    if (reply?.code !== 0) {
      throw new SinkDeliveryError(this.name, 'rejected', `${this.endpointLabel} answered HTTP ${statusCode} without success, ${detail}`, statusCode);
    }
    if (this.options.ack) {
      if (reply.ackId === undefined) {
        throw new SinkDeliveryError(this.name, 'rejected', `${this.endpointLabel} returned no ackId: indexer acknowledgement is not enabled for the token`, statusCode);
      }
      await this.waitForAck(reply.ackId, this.options.ack);
    }
  }

  /** Polls `/services/collector/ack` until the indexers confirm `ackId`, or gives up after timeoutMs. */
  private async waitForAck(ackId: number, ack: { timeoutMs: number; pollMs: number }): Promise<void> {
    const deadline = Date.now() + ack.timeoutMs;
    const ackLabel = this.endpointLabel.replace(/event$/, 'ack');
    for (;;) {
      await delay(Math.min(ack.pollMs, Math.max(0, deadline - Date.now())));
      const { statusCode, text } = await postToSink({
        sink: this.name,
        endpointLabel: ackLabel,
        url: this.ackEndpoint,
        headers: this.headers,
        body: JSON.stringify({ acks: [ackId] }),
        dispatcher: this.dispatcher,
        timeoutMs: this.options.timeoutMs,
      });
      if (statusCode < 200 || statusCode >= 300) {
        const reply = parseHecReply(text);
        throw new SinkDeliveryError(this.name, 'rejected', `${ackLabel} answered HTTP ${statusCode}${reply ? `, HEC code ${reply.code} "${reply.text}"` : ''}`, statusCode);
      }
      if (parseAcks(text)?.[String(ackId)] === true) return;
      if (Date.now() >= deadline) {
        throw new SinkDeliveryError(this.name, 'timeout', `${ackLabel}: ackId ${ackId} not acknowledged within ${ack.timeoutMs} ms; the batch will be sent again`);
      }
    }
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }

  private envelope(event: AuditEvent): Record<string, unknown> {
    const epochMs = Date.parse(event.time);
    return {
      // HEC's `time` is epoch seconds; left out, Splunk stamps the time of receipt.
      ...(Number.isFinite(epochMs) ? { time: epochMs / 1000 } : {}),
      host: event.proxyId,
      source: this.options.source,
      sourcetype: this.options.sourcetype,
      ...(this.options.index ? { index: this.options.index } : {}),
      event,
    };
  }
}

function parseHecReply(text: string): HecReply | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && 'code' in value && typeof value.code === 'number') {
      return {
        code: value.code,
        text: 'text' in value && typeof value.text === 'string' ? value.text : '',
        ...('ackId' in value && typeof value.ackId === 'number' ? { ackId: value.ackId } : {}),
      };
    }
  } catch {
    // Not JSON (e.g. a load balancer's HTML error page): reported as "no HEC reply body".
  }
  return null;
}

/** `{"acks":{"0":true}}` → `{ "0": true }`, or null for anything else. */
function parseAcks(text: string): Record<string, unknown> | null {
  try {
    const acks = (JSON.parse(text) as { acks?: unknown }).acks;
    return typeof acks === 'object' && acks !== null ? (acks as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
