import { createHmac } from 'node:crypto';
import type { AuditEvent } from '@mcpg/audit';
import { Agent } from 'undici';
import { SinkDeliveryError, type AuditSink } from './audit-sink.js';
import { postToSink } from './sink-request.js';

export interface WebhookSinkOptions {
  url: string;
  /** HMAC-SHA256 key shared with the receiver; never sent, never logged. */
  secret: string;
  timeoutMs: number;
  /** Default `webhook`. */
  name?: string;
}

export const WEBHOOK_SIGNATURE_HEADER = 'x-mcpg-signature';
export const WEBHOOK_TIMESTAMP_HEADER = 'x-mcpg-timestamp';
export const WEBHOOK_BATCH_HEADER = 'x-mcpg-batch-id';

/** `sha256=<hex>` over `<timestamp>.<body>`: the receiver recomputes it and rejects stale timestamps (replays). */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * POSTs each batch as `{"events": [...]}` JSON, signed with an HMAC header (GitHub/Stripe style:
 * `X-MCPG-Signature: sha256=…` over `X-MCPG-Timestamp` + "." + body). `X-MCPG-Batch-Id` (the
 * first event id) lets the receiver drop a retried batch it already has. Any 2xx is delivery;
 * anything else fails the attempt and the batch is retried.
 */
export class WebhookSink implements AuditSink {
  readonly name: string;
  private readonly endpointLabel: string;
  private readonly dispatcher: Agent;

  constructor(private readonly options: WebhookSinkOptions) {
    this.name = options.name ?? 'webhook';
    const url = new URL(options.url);
    this.endpointLabel = `${url.origin}${url.pathname}`;
    this.dispatcher = new Agent({ headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });
  }

  async deliver(events: readonly AuditEvent[]): Promise<void> {
    const body = JSON.stringify({ events });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const { statusCode } = await postToSink({
      sink: this.name,
      endpointLabel: this.endpointLabel,
      url: this.options.url,
      headers: {
        'content-type': 'application/json',
        [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
        [WEBHOOK_SIGNATURE_HEADER]: webhookSignature(this.options.secret, timestamp, body),
        [WEBHOOK_BATCH_HEADER]: events[0]?.id ?? '',
      },
      body,
      dispatcher: this.dispatcher,
      timeoutMs: this.options.timeoutMs,
    });
    if (statusCode < 200 || statusCode >= 300) {
      throw new SinkDeliveryError(this.name, 'rejected', `${this.endpointLabel} answered HTTP ${statusCode}`, statusCode);
    }
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}
