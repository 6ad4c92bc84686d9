import type { BusNames } from '@mcpg/bus';
import { createLogger, type Logger } from '@mcpg/observability';
import { Queue, type DefaultJobOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { AuditBatcher } from './audit-batcher.js';
import type { AuditBatch, AuditEvent } from './audit-event.js';
import { AUDIT_EXPORT_BACKOFF_TYPE } from './audit-export-backoff.js';

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
   * A batch that could not be added to the queue. Until the disk spool exists (DESIGN.md §7) the
   * default logs the loss with the event ids' range so it is never silent.
   */
  onAddFailed?(err: unknown, events: AuditEvent[]): void;
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
    const onAddFailed = options.onAddFailed ?? logLostBatch(logger);
    // An unhandled 'error' event would crash the proxy; ioredis reconnects by itself.
    this.queue.on('error', (err) => logger.warn('audit queue connection error', { err }));
    this.batcher = new AuditBatcher({
      maxBatchSize: options.maxBatchSize ?? 100,
      flushIntervalMs: options.flushIntervalMs ?? 1000,
      deliver: (events) => this.add(events),
      onError: onAddFailed,
    });
  }

  /** Hot path: only appends to the in-memory batch. */
  write(event: AuditEvent): void {
    this.batcher.push(event);
  }

  /** Queues whatever is buffered and waits until every batch handed on so far is in Redis. */
  drain(): Promise<void> {
    return this.batcher.drain();
  }

  /** Drains, then closes the queue. The shared Redis connection stays open. */
  async close(): Promise<void> {
    await this.drain();
    await this.queue.close();
  }

  private async add(events: AuditEvent[]): Promise<void> {
    const batch: AuditBatch = { events };
    await this.queue.add(AUDIT_BATCH_JOB_NAME, batch, { jobId: events[0]!.id });
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
