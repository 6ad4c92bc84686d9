import type { AuditEvent } from '@mcpg/audit';
import { Agent, request } from 'undici';
import { SinkDeliveryError, type AuditSink } from './audit-sink.js';

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
}

/** Splunk's reply body on the event endpoint: `{"text":"Success","code":0}` or an error code. */
interface HecReply {
  text: string;
  code: number;
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

  constructor(private readonly options: SplunkHecSinkOptions) {
    this.name = options.name ?? 'splunk-hec';
    this.endpoint = `${options.url.replace(/\/+$/, '')}/services/collector/event`;
    const url = new URL(this.endpoint);
    this.endpointLabel = `${url.origin}${url.pathname}`;
    this.authorization = `Splunk ${options.token}`;
    this.dispatcher = new Agent({ headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });
  }

  async deliver(events: readonly AuditEvent[]): Promise<void> {
    const body = events.map((event) => JSON.stringify(this.envelope(event))).join('\n');
    let statusCode: number;
    let text: string;
    try {
      const res = await request(this.endpoint, {
        method: 'POST',
        headers: { authorization: this.authorization, 'content-type': 'application/json' },
        body,
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      statusCode = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      throw this.transportError(err);
    }
    const reply = parseHecReply(text);
    const detail = reply ? `HEC code ${reply.code} "${reply.text}"` : 'no HEC reply body';
    if (statusCode < 200 || statusCode >= 300) {
      throw new SinkDeliveryError(this.name, 'rejected', `${this.endpointLabel} answered HTTP ${statusCode}, ${detail}`, statusCode);
    }
    if (reply?.code !== 0) {
      throw new SinkDeliveryError(this.name, 'rejected', `${this.endpointLabel} answered HTTP ${statusCode} without success, ${detail}`, statusCode);
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

  private transportError(err: unknown): SinkDeliveryError {
    const name = err instanceof Error ? err.name : '';
    const cause = err instanceof Error ? err.message : String(err);
    if (name === 'TimeoutError' || name === 'HeadersTimeoutError' || name === 'BodyTimeoutError') {
      return new SinkDeliveryError(this.name, 'timeout', `${this.endpointLabel} did not answer within ${this.options.timeoutMs} ms`);
    }
    return new SinkDeliveryError(this.name, 'unreachable', `${this.endpointLabel} unreachable: ${cause}`);
  }
}

function parseHecReply(text: string): HecReply | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && 'code' in value && typeof value.code === 'number') {
      return { code: value.code, text: 'text' in value && typeof value.text === 'string' ? value.text : '' };
    }
  } catch {
    // Not JSON (e.g. a load balancer's HTML error page): reported as "no HEC reply body".
  }
  return null;
}
