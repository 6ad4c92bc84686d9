import type { BusNames } from '@mcpg/bus';
import { createLogger, type Logger } from '@mcpg/observability';
import { Queue, type DefaultJobOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { AuditBatcher } from './audit-batcher.js';
import type { AuditBatch, AuditEvent } from './audit-event.js';
import { AUDIT_EXPORT_BACKOFF_TYPE } from './audit-export-backoff.js';
import type { AuditSpool } from './audit-spool.js';

export const AUDIT_BATCH_JOB_NAME = 'audit-batch';

export interface AuditQueueWriterOptions {
  /**
   * The caller's ioredis connection, shared and left open by `close()`. Create it with
   * `maxRetriesPerRequest: null`: a job add then waits out a Redis reconnect instead of failing
   * after a fixed number of retries.
   */
  connection: Redis;
  names: BusNames;
  /** Events per job; the exporter sends one job as one HEC request. Default 100. */
  maxBatchSize?: number;
  /** Longest an event waits in memory before its batch is queued. Default 1000 ms. */
  flushIntervalMs?: number;
  /**
   * Ceiling on delivery attempts per batch, stamped on each job (BullMQ keeps retry policy on the
   * job). The exporter's own attempt limit applies too; the lower one wins. Default 20.
   */
  maxAttempts?: number;
  /** Completed jobs kept for inspection and for the idempotent add. Default 1000 jobs, 1 hour. */
  keepCompleted?: { count: number; ageSeconds: number };
  logger?: Logger;
  /**
   * A batch that could not be added to the queue and had no spool to go to (no `spool`, or the
   * spool refused it). The default logs the loss with the event ids' range so it is never silent.
   */
  onAddFailed?(err: unknown, events: AuditEvent[]): void;
  /**
   * Local buffer for when Redis is unreachable (DESIGN.md §7): a batch whose add fails or takes
   * longer than `addTimeoutMs` is appended here, and so is every later batch while the spool has
   * a backlog, so the queue receives batches in order. The backlog is replayed every
   * `replayIntervalMs` until it is empty. Give the queue's connection `enableOfflineQueue: false`
   * and `maxRetriesPerRequest: 0` so adds fail at once while Redis is down instead of waiting out
   * the timeout, and an add cut off by a disconnect is not resent later, behind spooled batches.
   */
  spool?: AuditSpool;
  /** A queue add slower than this counts as failed and the batch is spooled. Default 5000 ms. */
  addTimeoutMs?: number;
  /** Pause between replay attempts of a spool backlog. Default 1000 ms. */
  replayIntervalMs?: number;
  /** Observes the spool, for metrics and the loss event. */
  spoolObserver?: AuditSpoolObserver;
}

export interface AuditSpoolObserver {
  /** A batch went to the spool. */
  spooled?(events: number): void;
  /** A batch the spool had no room for: its events are lost. */
  refused?(events: readonly AuditEvent[]): void;
  /**
   * The first batch queued or spooled after refusals: the moment to record the loss as an audit
   * event (recording it while the spool is full would only refuse it too).
   */
  refusalsEnded?(summary: AuditRefusalSummary): void;
  /** Spooled batches handed to the queue. */
  replayed?(batches: number): void;
}

export interface AuditRefusalSummary {
  events: number;
  firstEventId: string;
  lastEventId: string;
}

class AuditAddTimeoutError extends Error {
  override readonly name = 'AuditAddTimeoutError';
}

/**
 * The proxy's side of `audit-export`: batches events in memory and adds each batch as one BullMQ
 * job. The job id is the batch's first event id, so adding the same batch twice (a replay) is a
 * no-op while the first job is still kept.
 *
 * Retries are configured here but timed by the exporter: jobs carry `attempts` and the
 * `AUDIT_EXPORT_BACKOFF_TYPE` backoff, whose delays the exporter's worker computes. Failed jobs
 * are kept (never removed) so they can later be listed and replayed as dead letters.
 */
export class AuditQueueWriter {
  private readonly queue: Queue<AuditBatch>;
  private readonly batcher: AuditBatcher;
  private readonly logger: Logger;
  private readonly spool: AuditSpool | undefined;
  private readonly observer: AuditSpoolObserver;
  private readonly addTimeoutMs: number;
  private readonly replayIntervalMs: number;
  private replayTimer: NodeJS.Timeout | null = null;
  private replaying: Promise<void> | null = null;
  private isClosed = false;
  private refused: AuditRefusalSummary | null = null;

  constructor(options: AuditQueueWriterOptions) {
    const keep = options.keepCompleted ?? { count: 1000, ageSeconds: 3600 };
    const defaultJobOptions: DefaultJobOptions = {
      attempts: options.maxAttempts ?? 20,
      backoff: { type: AUDIT_EXPORT_BACKOFF_TYPE },
      removeOnComplete: { count: keep.count, age: keep.ageSeconds },
      removeOnFail: false,
    };
    this.queue = new Queue<AuditBatch>(options.names.auditQueue, {
      connection: options.connection,
      prefix: options.names.bullPrefix,
      defaultJobOptions,
    });
    const logger = options.logger ?? createLogger({ component: 'audit-queue-writer' });
    this.logger = logger;
    this.spool = options.spool;
    this.observer = options.spoolObserver ?? {};
    this.addTimeoutMs = options.addTimeoutMs ?? 5000;
    this.replayIntervalMs = options.replayIntervalMs ?? 1000;
    const onAddFailed = options.onAddFailed ?? logLostBatch(logger);
    // An unhandled 'error' event would crash the proxy; ioredis reconnects by itself.
    this.queue.on('error', (err) => logger.warn('audit queue connection error', { err }));
    this.batcher = new AuditBatcher({
      maxBatchSize: options.maxBatchSize ?? 100,
      flushIntervalMs: options.flushIntervalMs ?? 1000,
      deliver: (events) => this.add(events),
      onError: onAddFailed,
    });
    // A backlog left by a previous run (Redis was down when the proxy stopped) is replayed first.
    if (this.spool?.hasBacklog) this.scheduleReplay(0);
  }

  /** Bytes waiting in the spool (0 without a spool). */
  get spoolBacklogBytes(): number {
    return this.spool?.size ?? 0;
  }

  /** Hot path: only appends to the in-memory batch. */
  write(event: AuditEvent): void {
    this.batcher.push(event);
  }

  /** Queues whatever is buffered and waits until every batch handed on so far is in Redis. */
  drain(): Promise<void> {
    return this.batcher.drain();
  }

  /**
   * Waits until the spool backlog has been replayed into the queue (tests, orderly shutdown with
   * Redis up). Rejects after `timeoutMs`.
   */
  async waitForSpoolReplay(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.spool?.hasBacklog) {
      if (Date.now() > deadline) throw new Error(`audit spool still holds ${this.spool.size} bytes after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Drains (into the spool, if Redis is down), then closes the queue. The shared Redis connection stays open. */
  async close(): Promise<void> {
    await this.drain();
    this.isClosed = true;
    if (this.replayTimer) clearTimeout(this.replayTimer);
    await this.replaying;
    await this.spool?.settle();
    await this.queue.close();
  }

  private async add(events: AuditEvent[]): Promise<void> {
    const batch: AuditBatch = { events };
    if (!this.spool) return this.addToQueue(batch);
    // Behind a backlog a batch waits its turn in the spool, so the queue gets batches in order.
    if (this.spool.hasBacklog) return this.addToSpool(batch, this.spool);
    try {
      await this.addToQueue(batch);
    } catch (err) {
      this.logger.warn('audit batch could not be queued; spooling it to disk', { err, count: events.length });
      return this.addToSpool(batch, this.spool);
    }
    this.endRefusals();
  }

  private addToQueue(batch: AuditBatch): Promise<void> {
    const add = this.queue.add(AUDIT_BATCH_JOB_NAME, batch, { jobId: batch.events[0]!.id });
    if (!this.spool) return add.then(() => {});
    // A slow add may still land later; the replay then adds a job id that exists, a no-op.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AuditAddTimeoutError(`queue add took longer than ${this.addTimeoutMs} ms`)), this.addTimeoutMs);
    });
    return Promise.race([add, timeout]).then(
      () => clearTimeout(timer),
      (err: unknown) => {
        clearTimeout(timer);
        add.catch(() => {});
        throw err;
      },
    );
  }

  private async addToSpool(batch: AuditBatch, spool: AuditSpool): Promise<void> {
    if (!(await spool.append(batch))) {
      const { events } = batch;
      this.refused = {
        events: (this.refused?.events ?? 0) + events.length,
        firstEventId: this.refused?.firstEventId ?? events[0]!.id,
        lastEventId: events.at(-1)!.id,
      };
      this.observer.refused?.(events);
      this.logger.error('audit spool is full; batch refused and its events lost', { count: events.length, spoolBytes: spool.size });
      this.scheduleReplay(this.replayIntervalMs);
      return;
    }
    this.observer.spooled?.(batch.events.length);
    this.endRefusals();
    this.scheduleReplay(this.replayIntervalMs);
  }

  private endRefusals(): void {
    if (!this.refused) return;
    const summary = this.refused;
    this.refused = null;
    this.observer.refusalsEnded?.(summary);
  }

  private scheduleReplay(delayMs: number): void {
    if (this.replayTimer || this.replaying || this.isClosed) return;
    this.replayTimer = setTimeout(() => {
      this.replayTimer = null;
      this.replaying = this.replay().finally(() => {
        this.replaying = null;
        if (this.spool?.hasBacklog) this.scheduleReplay(this.replayIntervalMs);
      });
    }, delayMs);
  }

  private async replay(): Promise<void> {
    const spool = this.spool;
    if (!spool?.hasBacklog || this.isClosed) return;
    let replayed = 0;
    try {
      replayed = await spool.replay(
        async (batch) => {
          await this.addToQueue(batch);
          replayed++;
        },
        () => this.logger.error('skipping a torn line in the audit spool'),
      );
      this.logger.info('audit spool replayed into the queue', { batches: replayed });
    } catch (err) {
      this.logger.warn('audit spool replay paused; Redis still unreachable', { err, replayedBatches: replayed, backlogBytes: spool.size });
    }
    if (replayed > 0) {
      this.observer.replayed?.(replayed);
      this.endRefusals();
    }
  }
}

function logLostBatch(logger: Logger): (err: unknown, events: AuditEvent[]) => void {
  return (err, events) =>
    logger.error('audit batch could not be queued; its events are lost', {
      err,
      count: events.length,
      firstEventId: events[0]?.id,
      lastEventId: events.at(-1)?.id,
    });
}
