import type { AuditEvent } from './audit-event.js';

export interface AuditBatcherOptions {
  maxBatchSize: number;
  flushIntervalMs: number;
  /** Hands a full batch onwards (e.g. to BullMQ). Must not throw for transient failures it can absorb. */
  deliver(events: AuditEvent[]): Promise<void>;
  onError?(err: unknown, events: AuditEvent[]): void;
}

/**
 * Collects events and hands them on in batches: when a batch is full, or after
 * flushIntervalMs, whichever comes first. The request path only pushes into an array.
 */
export class AuditBatcher {
  private buffer: AuditEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight = new Set<Promise<void>>();

  constructor(private readonly options: AuditBatcherOptions) {}

  push(event: AuditEvent): void {
    this.buffer.push(event);
    if (this.buffer.length >= this.options.maxBatchSize) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.options.flushIntervalMs);
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.buffer.length === 0) return;
    const events = this.buffer;
    this.buffer = [];
    const p = this.options
      .deliver(events)
      .catch((err) => this.options.onError?.(err, events))
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /** Flushes and waits for everything handed on so far (shutdown, tests). */
  async drain(): Promise<void> {
    this.flush();
    await Promise.all([...this.inFlight]);
  }
}
