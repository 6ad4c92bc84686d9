import { toEcsDocument, type AuditEvent } from '@mcpg/audit';
import { Agent } from 'undici';
import { SinkDeliveryError, type AuditSink } from './audit-sink.js';
import { postToSink } from './sink-request.js';

export type ElasticAuth = { apiKey: string } | { username: string; password: string };

export interface ElasticBulkSinkOptions {
  /** Base URL of the cluster, e.g. `https://es.example.com:9200`; a path prefix is kept. */
  url: string;
  /** `apiKey` is the encoded form Kibana shows (base64 of `id:key`), sent as `ApiKey <apiKey>`. */
  auth: ElasticAuth;
  /** Index or data stream name. */
  index: string;
  timeoutMs: number;
  /** Default `elastic`. */
  name?: string;
}

interface BulkItemResult {
  _id?: string;
  status: number;
  error?: { type?: string; reason?: string };
}

/**
 * Sends a batch as one `_bulk` request (DESIGN.md §7): a `create` action with `_id` = event id
 * for each event, followed by its ECS document. Because the id is the event's own, a retry of a
 * batch Elastic already took answers 409 instead of indexing twice: exactly once in the index.
 *
 * A 200 reply with `errors: true` is read item by item: 2xx and 409 (already there) count as
 * delivered; any other item status fails the attempt, and the error carries the ids still
 * missing so the retry sends only those. A non-2xx reply (429 back-pressure, 5xx, 401) fails the
 * whole batch and it is retried, as for HEC.
 */
export class ElasticBulkSink implements AuditSink {
  readonly name: string;
  private readonly endpoint: string;
  private readonly endpointLabel: string;
  private readonly authorization: string;
  private readonly actionPrefix: string;
  private readonly dispatcher: Agent;

  constructor(private readonly options: ElasticBulkSinkOptions) {
    this.name = options.name ?? 'elastic';
    this.endpoint = `${options.url.replace(/\/+$/, '')}/_bulk`;
    const url = new URL(this.endpoint);
    this.endpointLabel = `${url.origin}${url.pathname}`;
    this.authorization =
      'apiKey' in options.auth
        ? `ApiKey ${options.auth.apiKey}`
        : `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`;
    this.actionPrefix = `{"create":{"_index":${JSON.stringify(options.index)},"_id":`;
    this.dispatcher = new Agent({ headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });
  }

  async deliver(events: readonly AuditEvent[]): Promise<void> {
    let body = '';
    for (const event of events) body += `${this.actionPrefix}${JSON.stringify(event.id)}}}\n${JSON.stringify(toEcsDocument(event))}\n`;
    const { statusCode, text } = await postToSink({
      sink: this.name,
      endpointLabel: this.endpointLabel,
      url: this.endpoint,
      headers: { authorization: this.authorization, 'content-type': 'application/x-ndjson' },
      body,
      dispatcher: this.dispatcher,
      timeoutMs: this.options.timeoutMs,
    });
    if (statusCode < 200 || statusCode >= 300) {
      throw new SinkDeliveryError(this.name, 'rejected', `${this.endpointLabel} answered HTTP ${statusCode}${errorType(text)}`, statusCode);
    }
    const items = parseItems(text);
    if (!items || items.length !== events.length) {
      throw new SinkDeliveryError(this.name, 'rejected', `${this.endpointLabel} answered HTTP ${statusCode} without one item result per event`, statusCode);
    }
    const undelivered: string[] = [];
    const reasons = new Map<string, number>();
    items.forEach((item, i) => {
      if ((item.status >= 200 && item.status < 300) || item.status === 409) return;
      undelivered.push(events[i]!.id);
      const reason = `${item.status} ${item.error?.type ?? 'error'}`;
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    });
    if (undelivered.length > 0) {
      const summary = [...reasons].map(([reason, count]) => `${count}× ${reason}`).join(', ');
      throw new SinkDeliveryError(this.name, 'rejected', `${this.endpointLabel} refused ${undelivered.length} of ${events.length} items (${summary})`, statusCode, undelivered);
    }
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}

/** `create` results in request order, or null when the reply is not a bulk response. */
function parseItems(text: string): BulkItemResult[] | null {
  try {
    const value = JSON.parse(text) as { items?: unknown };
    if (!Array.isArray(value.items)) return null;
    const items: BulkItemResult[] = [];
    for (const item of value.items as unknown[]) {
      const result = (item as { create?: BulkItemResult } | null)?.create;
      if (!result || typeof result.status !== 'number') return null;
      items.push(result);
    }
    return items;
  } catch {
    return null;
  }
}

/** `, <error type>` from an Elasticsearch error body; never the request or credentials. */
function errorType(text: string): string {
  try {
    const type = (JSON.parse(text) as { error?: { type?: unknown } }).error?.type;
    return typeof type === 'string' ? `, ${type}` : '';
  } catch {
    return '';
  }
}
