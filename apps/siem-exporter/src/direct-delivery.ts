import type { AuditEvent } from '@mcpg/audit';
import type { Logger } from '@mcpg/observability';
import { SinkDeliveryError, type AuditSink } from './sinks/audit-sink.js';

/** One sink's share of a batch. */
export interface DeliveryTarget {
  sink: string;
  sinkInstance: AuditSink;
  tenantId: string | null;
  events: readonly AuditEvent[];
}

export interface DirectDeliveryOptions {
  /** A sink that has not answered within this long is treated as slow: its share goes to its queue. */
  deadlineMs: number;
  /** After a sink failed or was slow, its shares go straight to its queue for this long. */
  spillMs: number;
}

/**
 * The fan-out's fast path: each sink of a batch is first tried directly, in parallel, within a
 * deadline; only a sink that fails, rejects items or is slow gets its share spilled into its own
 * delivery queue (where retries and backoff happen without anyone else waiting), and for
 * `spillMs` after that its shares go to the queue without a try. Healthy sinks thus cost one trip
 * through Redis per event (as direct delivery), and a sick one costs the others at most one
 * deadline per `spillMs`.
 *
 * A share that missed the deadline may still be accepted by the request in flight: it is then
 * delivered twice (at least once; Elastic's `create` with the event id keeps it exactly once).
 */
export class DirectDelivery {
  private readonly spillingUntil = new Map<string, number>();

  constructor(
    private readonly options: DirectDeliveryOptions,
    private readonly logger: Logger,
  ) {}

  /** Sinks that took their share now, and the shares (whole or the undelivered part) to queue. */
  async deliver(targets: readonly DeliveryTarget[], nowMs: number = Date.now()): Promise<{ delivered: string[]; toQueue: DeliveryTarget[] }> {
    const toQueue = targets.filter((target) => this.isSpilling(target.sink, nowMs));
    const tried = targets.filter((target) => !this.isSpilling(target.sink, nowMs));
    const outcomes = await Promise.all(tried.map((target) => this.tryWithinDeadline(target)));
    const delivered: string[] = [];
    outcomes.forEach((outcome, i) => {
      const target = tried[i]!;
      if (outcome.isDelivered) {
        delivered.push(target.sink);
        return;
      }
      this.spill(target, outcome.reason);
      const undelivered = outcome.undeliveredIds;
      toQueue.push(undelivered ? { ...target, events: target.events.filter((event) => undelivered.has(event.id)) } : target);
    });
    return { delivered, toQueue };
  }

  private isSpilling(sink: string, nowMs: number): boolean {
    const until = this.spillingUntil.get(sink);
    if (until === undefined) return false;
    if (until > nowMs) return true;
    this.spillingUntil.delete(sink);
    return false;
  }

  private spill(target: DeliveryTarget, reason: string): void {
    const isNew = !this.spillingUntil.has(target.sink);
    this.spillingUntil.set(target.sink, Date.now() + this.options.spillMs);
    if (isNew) this.logger.warn('sink slow or failing; its events go through its own delivery queue', { sink: target.sink, tenantId: target.tenantId, reason, spillMs: this.options.spillMs });
  }

  private async tryWithinDeadline(target: DeliveryTarget): Promise<{ isDelivered: true } | { isDelivered: false; reason: string; undeliveredIds?: ReadonlySet<string> }> {
    let timer: NodeJS.Timeout | undefined;
    const delivery = target.sinkInstance.deliver(target.events).then(
      () => ({ isDelivered: true as const }),
      (err: unknown) => ({
        isDelivered: false as const,
        reason: err instanceof Error ? err.message : String(err),
        ...(err instanceof SinkDeliveryError && err.undeliveredIds ? { undeliveredIds: new Set(err.undeliveredIds) } : {}),
      }),
    );
    const deadline = new Promise<{ isDelivered: false; reason: string }>((resolve) => {
      timer = setTimeout(() => resolve({ isDelivered: false, reason: `no answer within ${this.options.deadlineMs} ms` }), this.options.deadlineMs);
    });
    try {
      return await Promise.race([delivery, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}
