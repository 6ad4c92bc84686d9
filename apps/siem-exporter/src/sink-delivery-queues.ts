import {
  AUDIT_DELIVERY_JOB_NAME,
  AUDIT_EXPORT_BACKOFF_TYPE,
  auditSinkQueueName,
  listSinkQueues,
  registerSinkQueue,
  sinkDeliveryJobId,
  type AuditEvent,
  type AuditExportBackoff,
  type SinkDeliveryJob,
  type SinkQueueEntry,
} from '@mcpg/audit';
import type { BusNames } from '@mcpg/bus';
import type { Logger } from '@mcpg/observability';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { retryingWorkerOptions } from './retrying-worker-options.js';
import { SinkDeliveryError, type AuditSink } from './sinks/audit-sink.js';

/**
 * Kept in a delivery job's progress across retries when the sink took part of it (Elastic item
 * results): the ids of the events it still lacks. A retry sends only those.
 */
export const sinkDeliveryProgressSchema = z.object({ undelivered: z.array(z.string()) });
export type SinkDeliveryProgress = z.infer<typeof sinkDeliveryProgressSchema>;

export interface SinkDeliveryResult {
  events: number;
}

/** Finds the sink instance a queue delivers to, at the time of delivery. */
export interface SinkResolver {
  /**
   * The sink to deliver with now; null when this exporter cannot serve the queue at all (an
   * exporter-wide sink it is not configured with, tenant sinks while they are not configured).
   * Throws `SinkGoneError` when the sink no longer exists (its tenant deleted it), and any other
   * error when the answer is unknown for now (snapshot unreadable): that delivery is retried.
   */
  resolve(entry: SinkQueueEntry): Promise<AuditSink | null>;
  /** Whether this exporter can serve the queue at all (cheap, no I/O). */
  serves(entry: SinkQueueEntry): boolean;
}

/** The sink a delivery job names no longer exists; its jobs become dead letters at once. */
export class SinkGoneError extends Error {
  override readonly name = 'SinkGoneError';
}

export interface SinkDeliveryQueuesOptions {
  /** Shared with the queues (non-blocking commands); each worker duplicates it for its blocking reads. */
  connection: Redis;
  names: BusNames;
  resolver: SinkResolver;
  /** Delivery jobs one sink works on at once in this process. */
  concurrency: number;
  maxAttempts: number;
  backoff: AuditExportBackoff;
  lockMs?: number;
  /** Interval of the sweep: backlog logs, workers for queues with jobs, idle tenant workers closed. */
  sweepMs: number;
  /** A tenant sink's worker with nothing to do for this long is closed (its queue stays). */
  idleMs: number;
  logger: Logger;
}

interface OpenQueue {
  entry: SinkQueueEntry;
  queue: Queue<SinkDeliveryJob>;
  worker: Worker<SinkDeliveryJob, SinkDeliveryResult> | null;
  lastUsedAt: number;
}

/**
 * Completed delivery jobs kept (with their events) so that a fan-out repeated after a crash adds
 * nothing for the deliveries already done (same job ids). A fan-out retried after a *failure*
 * needs none of this (its progress lists the queues it already filled), so the count is modest:
 * each kept job holds a whole batch in Redis. Beyond it a crash can re-deliver a batch: Elastic
 * answers 409 (still exactly once), HEC and webhooks get it twice (at least once, by event id).
 */
const KEEP_COMPLETED = { count: 100, age: 3600 };

/**
 * Stage 2 of the pipeline: one BullMQ queue per sink (`audit-deliver.<sink>`) and one worker per
 * queue, so a sink that is slow, failing or hanging holds only its own worker's slots and delays
 * only its own jobs; every other sink keeps draining its queue.
 *
 * Queues are opened lazily, the first time the fan-out has events for a sink, and recorded in the
 * Redis registry (`mcpg:audit-sink-queues`) that the control plane reads to list dead letters.
 * Tenant sinks come and go with snapshots: a sweep every `sweepMs` closes the worker of a tenant
 * sink idle for `idleMs` with nothing queued (the queue and its failed set stay), and starts a
 * worker for every registered queue that has jobs but none here (jobs left by a crashed or
 * stopped exporter, dead letters replayed by an admin). Jobs are never dropped by closing.
 */
export class SinkDeliveryQueues {
  private readonly open = new Map<string, OpenQueue>();
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private isClosed = false;

  constructor(private readonly options: SinkDeliveryQueuesOptions) {}

  /** Sweeps once (workers for queues left with jobs) and then every `sweepMs`. */
  async start(): Promise<void> {
    await this.sweep();
    this.sweepTimer = setInterval(() => void this.sweep(), this.options.sweepMs);
    this.sweepTimer.unref();
  }

  /** Opens (registers, starts the worker of) a sink's queue ahead of its first job. */
  async ensure(sink: string, tenantId: string | null): Promise<OpenQueue> {
    const name = auditSinkQueueName(sink);
    let open = this.open.get(name);
    if (!open) {
      // Registered before the first job is added, so the control plane always sees the queue.
      const entry = await registerSinkQueue(this.options.connection, this.options.names, sink, tenantId);
      open = this.open.get(name) ?? this.openQueue(entry);
    }
    open.lastUsedAt = Date.now();
    if (!open.worker && !this.isClosed) this.startWorker(open);
    return open;
  }

  /**
   * Adds one delivery job per target; resolves once every add succeeded. Job ids are derived from
   * the events, so adding the same target again (a fan-out retried after a crash) adds nothing.
   */
  async enqueue(batchId: string, targets: readonly { sink: string; tenantId: string | null; events: readonly AuditEvent[] }[]): Promise<PromiseSettledResult<void>[]> {
    return Promise.allSettled(
      targets.map(async ({ sink, tenantId, events }) => {
        const open = await this.ensure(sink, tenantId);
        const data: SinkDeliveryJob = { batchId, sink, tenantId, events: events as AuditEvent[] };
        await open.queue.add(AUDIT_DELIVERY_JOB_NAME, data, {
          jobId: sinkDeliveryJobId(events),
          attempts: this.options.maxAttempts,
          backoff: { type: AUDIT_EXPORT_BACKOFF_TYPE },
          removeOnComplete: KEEP_COMPLETED,
          removeOnFail: false,
        });
      }),
    );
  }

  private openQueue(entry: SinkQueueEntry): OpenQueue {
    const queue = new Queue<SinkDeliveryJob>(entry.queue, { connection: this.options.connection, prefix: this.options.names.bullPrefix });
    queue.on('error', (err) => this.options.logger.warn('sink queue connection error', { sink: entry.sink, err }));
    const open: OpenQueue = { entry, queue, worker: null, lastUsedAt: Date.now() };
    this.open.set(entry.queue, open);
    return open;
  }

  private startWorker(open: OpenQueue): void {
    const { options } = this;
    const { logger } = options;
    const { sink, tenantId } = open.entry;
    const worker = new Worker<SinkDeliveryJob, SinkDeliveryResult>(open.entry.queue, (job) => deliverJob(job, open, options.resolver, logger), retryingWorkerOptions(options));
    worker.on('active', () => (open.lastUsedAt = Date.now()));
    worker.on('failed', (job, err) => {
      if (!job) return;
      const fields = { sink, tenantId, jobId: job.id, batchId: job.data?.batchId, attemptsMade: job.attemptsMade, err };
      // BullMQ sets finishedOn only when the job is not going to be retried.
      if (job.finishedOn !== undefined) logger.error('audit delivery failed for good; kept as a dead letter of its sink', fields);
      else logger.warn('audit delivery failed; will retry', fields);
    });
    worker.on('error', (err) => logger.error('sink delivery worker error', { sink, err }));
    open.worker = worker;
    logger.debug('sink delivery worker started', { sink, tenantId, concurrency: options.concurrency });
  }

  /** Waits until every worker started so far is connected (start-up, tests). */
  async waitUntilReady(): Promise<void> {
    await Promise.all([...this.open.values()].map((open) => open.worker?.waitUntilReady()));
  }

  /** One pass of the sweep; runs at most once at a time. */
  sweep(): Promise<void> {
    this.sweeping ??= this.sweepOnce()
      .catch((err: unknown) => this.options.logger.warn('sink queue sweep failed', { err }))
      .finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    const { logger, resolver } = this.options;
    const entries = await listSinkQueues(this.options.connection, this.options.names);
    await Promise.all(
      entries.map(async (entry) => {
        if (this.isClosed) return;
        const open = this.open.get(entry.queue) ?? this.openQueue(entry);
        const counts = await open.queue.getJobCounts('wait', 'prioritized', 'delayed', 'active', 'failed');
        const pending = (counts.wait ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0) + (counts.active ?? 0);
        const fields = { sink: entry.sink, tenantId: entry.tenantId, waiting: (counts.wait ?? 0) + (counts.prioritized ?? 0), delayed: counts.delayed ?? 0, active: counts.active ?? 0, failed: counts.failed ?? 0 };
        if (pending > 0) {
          // Per-sink depth (DESIGN.md §7): a sink falling behind shows here, not in the others' lag.
          logger.info('sink queue backlog', fields);
          if (!open.worker && !this.isClosed) {
            if (!resolver.serves(entry)) logger.warn('sink queue has jobs but this exporter has no such sink; leaving them queued', fields);
            else this.startWorker(open);
          }
          return;
        }
        const isIdle = Date.now() - open.lastUsedAt > this.options.idleMs;
        if (open.worker && entry.tenantId !== null && isIdle) {
          const worker = open.worker;
          open.worker = null; // an enqueue meanwhile starts a fresh one
          await worker.close();
          logger.debug('idle tenant sink worker closed', { sink: entry.sink, tenantId: entry.tenantId });
        }
      }),
    );
  }

  /** Workers running (metrics, tests). */
  get workerCount(): number {
    return [...this.open.values()].filter((open) => open.worker !== null).length;
  }

  /** Stops the sweep, lets jobs in progress finish, closes workers and queues. */
  async close(): Promise<void> {
    this.isClosed = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.sweeping;
    await Promise.all([...this.open.values()].map((open) => open.worker?.close()));
    await Promise.all([...this.open.values()].map((open) => open.queue.close()));
    this.open.clear();
  }
}

function isDeliveryJob(data: unknown): data is SinkDeliveryJob {
  const job = data as Partial<SinkDeliveryJob> | null;
  return (
    typeof job?.batchId === 'string' &&
    typeof job.sink === 'string' &&
    Array.isArray(job.events) &&
    job.events.length > 0 &&
    job.events.every((event) => typeof (event as Partial<AuditEvent> | null)?.id === 'string')
  );
}

/**
 * Delivers one job to its sink. The fan-out validated every event against the schema before
 * adding the job, so only the shape is checked here (validating twice would halve throughput).
 */
async function deliverJob(job: Job<SinkDeliveryJob, SinkDeliveryResult>, open: OpenQueue, resolver: SinkResolver, logger: Logger): Promise<SinkDeliveryResult> {
  if (!isDeliveryJob(job.data) || job.data.sink !== open.entry.sink) {
    logger.error('delivery job is malformed; failing it without retry', { sink: open.entry.sink, jobId: job.id });
    throw new UnrecoverableError(`malformed delivery job for sink ${open.entry.sink}`);
  }
  let sink: AuditSink | null;
  try {
    sink = await resolver.resolve(open.entry);
  } catch (err) {
    if (!(err instanceof SinkGoneError)) throw err;
    // Chosen over dropping: the events stay visible and replayable (say, after the sink is recreated).
    logger.warn('sink no longer exists; its delivery is kept as a dead letter', { sink: open.entry.sink, tenantId: open.entry.tenantId, jobId: job.id, events: job.data.events.length });
    throw new UnrecoverableError(err.message);
  }
  if (!sink) throw new Error(`${open.entry.sink}: this exporter has no such sink`);

  const previous = sinkDeliveryProgressSchema.safeParse(job.progress);
  let events: readonly AuditEvent[] = job.data.events;
  if (previous.success) {
    const missing = new Set(previous.data.undelivered);
    events = events.filter((event) => missing.has(event.id));
  }
  try {
    await sink.deliver(events);
  } catch (err) {
    const partial = err instanceof SinkDeliveryError ? err.undeliveredIds : undefined;
    if (partial) await job.updateProgress({ undelivered: [...partial] } satisfies SinkDeliveryProgress);
    throw err;
  }
  return { events: events.length };
}
