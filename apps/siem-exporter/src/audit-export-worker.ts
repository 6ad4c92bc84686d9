import { auditBatchSchema, type AuditEvent, type AuditExportBackoff } from '@mcpg/audit';
import type { BusNames } from '@mcpg/bus';
import type { Logger } from '@mcpg/observability';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { DeliveryTarget, DirectDelivery } from './direct-delivery.js';
import { retryingWorkerOptions } from './retrying-worker-options.js';
import type { SinkDeliveryQueues } from './sink-delivery-queues.js';
import { SinkDeliveryError, type AuditSink } from './sinks/audit-sink.js';

/**
 * Kept in an `audit-export` job's progress across retries: the sinks whose delivery job was
 * already added, so a retry adds only the missing ones (say, a tenant whose snapshot could not be
 * read). `delivered` and `undelivered` are the progress of jobs from before the two-stage
 * pipeline (the exporter delivered batches itself then); a job retried after an upgrade honours
 * them: sinks that had it are skipped, a partial Elastic delivery sends only the missing events.
 */
export const fanOutProgressSchema = z.object({
  enqueued: z.array(z.string()).optional(),
  delivered: z.array(z.string()).optional(),
  undelivered: z.record(z.string(), z.array(z.string())).optional(),
});
export type FanOutProgress = z.infer<typeof fanOutProgressSchema>;

export interface AuditExportResult {
  events: number;
  /** Sinks the batch was handed to (one delivery job each). */
  sinks: string[];
}

export interface AuditExportWorkerOptions {
  /** Created with `maxRetriesPerRequest: null` (BullMQ requires it for workers); left open by close. */
  connection: Redis;
  names: BusNames;
  /** Exporter-wide sinks: each gets every event. */
  sinks: readonly AuditSink[];
  /**
   * Where delivery jobs go: one queue per sink. Null in single-destination mode (one exporter-wide
   * sink, no tenant sinks): there is no other sink a slow one could hold up, so the batch is
   * delivered from here directly, saving a second trip of every event through Redis.
   */
  deliveries: SinkDeliveryQueues | null;
  /**
   * With queues: try each sink directly first and queue only the shares of sinks that fail or are
   * slow (see DirectDelivery). Null: every share goes through its sink's queue.
   */
  direct?: DirectDelivery | null;
  /** Batches fanned out at once. */
  concurrency: number;
  /** Attempts per batch, including the first; see SiemExporterConfig.attempts. */
  maxAttempts: number;
  backoff: AuditExportBackoff;
  /** Job lock duration and stalled-job check interval; see SiemExporterConfig.lockMs. */
  lockMs?: number;
  /** Tenants' own sinks (from their snapshots); each gets only its tenant's events. */
  tenantSinks?: TenantSinkSource;
  logger: Logger;
}

export interface TenantSinkSource {
  sinksFor(tenantId: string): Promise<readonly AuditSink[]>;
}

/** One batch that could not be handed to one or more sinks; the message lists each reason. */
export class AuditDeliveryError extends Error {
  override readonly name = 'AuditDeliveryError';

  constructor(readonly failures: readonly { sink: string; error: unknown }[]) {
    super(`fan-out failed at ${failures.map((f) => `${f.sink}: ${f.error instanceof Error ? f.error.message : String(f.error)}`).join('; ')}`);
  }
}

/**
 * Stage 1 of the pipeline (DESIGN.md §7): consumes `audit-export`, validates each job as an
 * AuditBatch and hands each target sink its share: directly when `direct` is set and the sink
 * answers within the deadline, otherwise as a delivery job in that sink's own queue
 * (SinkDeliveryQueues), where it is retried without holding up the batch's other sinks and
 * tenants. With `direct` null every share is queued and no request to a sink is made here.
 *
 * A job completes only once every add succeeded (at least once). A job whose data is not a valid
 * batch fails at once (retrying cannot fix it). A failure to resolve a tenant's sinks or to add a
 * job fails the attempt; BullMQ retries it after the `AUDIT_EXPORT_BACKOFF_TYPE` backoff, and the
 * retry adds only the delivery jobs still missing. After `maxAttempts` it stays in the failed set.
 */
export function createAuditExportWorker(options: AuditExportWorkerOptions): Worker<unknown, AuditExportResult> {
  const { logger } = options;
  const worker = new Worker<unknown, AuditExportResult>(options.names.auditQueue, (job) => fanOutBatch(job, options), retryingWorkerOptions(options));

  worker.on('failed', (job, err) => {
    if (!job) return;
    // BullMQ sets finishedOn only when the job is not going to be retried.
    const isFinal = job.finishedOn !== undefined;
    const fields = { jobId: job.id, attemptsMade: job.attemptsMade, err };
    if (isFinal) logger.error('audit batch failed for good; kept in the failed set', fields);
    else logger.warn('audit batch fan-out failed; will retry', fields);
  });
  worker.on('error', (err) => logger.error('audit export worker error', { err }));
  return worker;
}

type Target = DeliveryTarget;

/** Where one batch goes: every exporter sink with all events, each tenant sink with its tenant's. */
async function deliveryTargets(
  events: readonly AuditEvent[],
  sinks: readonly AuditSink[],
  tenantSinks: TenantSinkSource | undefined,
): Promise<{ targets: Target[]; failures: { sink: string; error: unknown }[] }> {
  const targets: Target[] = sinks.map((sink) => ({ sink: sink.name, sinkInstance: sink, tenantId: null, events }));
  const failures: { sink: string; error: unknown }[] = [];
  if (!tenantSinks) return { targets, failures };
  const byTenant = new Map<string, AuditEvent[]>();
  for (const event of events) if (event.tenantId !== null) (byTenant.get(event.tenantId) ?? byTenant.set(event.tenantId, []).get(event.tenantId)!).push(event);
  await Promise.all(
    [...byTenant].map(async ([tenantId, tenantEvents]) => {
      try {
        for (const sink of await tenantSinks.sinksFor(tenantId)) targets.push({ sink: sink.name, sinkInstance: sink, tenantId, events: tenantEvents });
      } catch (error) {
        // Cannot tell where this tenant's events go (snapshot or secret unreadable): retry the batch.
        failures.push({ sink: `tenant-sinks:${tenantId}`, error });
      }
    }),
  );
  return { targets, failures };
}

async function fanOutBatch(job: Job<unknown, AuditExportResult>, options: AuditExportWorkerOptions): Promise<AuditExportResult> {
  const { logger } = options;
  const batch = auditBatchSchema.safeParse(job.data);
  if (!batch.success) {
    const issues = batch.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    logger.error('audit job is not a valid batch; failing it without retry', { jobId: job.id, issues });
    throw new UnrecoverableError(`invalid audit batch: ${issues.join('; ')}`);
  }
  const { events } = batch.data;

  const previous = fanOutProgressSchema.safeParse(job.progress);
  const enqueued = new Set(previous.success ? [...(previous.data.enqueued ?? []), ...(previous.data.delivered ?? [])] : []);
  const legacyUndelivered = (previous.success ? previous.data.undelivered : undefined) ?? {};
  const { targets, failures } = await deliveryTargets(events, options.sinks, options.tenantSinks);
  const pending = targets
    .filter((target) => !enqueued.has(target.sink))
    .map((target) => {
      const missing = legacyUndelivered[target.sink];
      if (!missing) return target;
      const ids = new Set(missing);
      return { ...target, events: target.events.filter((event) => ids.has(event.id)) };
    })
    .filter((target) => target.events.length > 0);

  if (!options.deliveries) return deliverDirectly(job, pending, enqueued);
  const { delivered, toQueue } = options.direct ? await options.direct.deliver(pending) : { delivered: [], toQueue: pending };
  for (const sink of delivered) enqueued.add(sink);
  const outcomes = await options.deliveries.enqueue(String(job.id), toQueue);
  outcomes.forEach((outcome, i) => {
    const sink = toQueue[i]!.sink;
    if (outcome.status === 'fulfilled') enqueued.add(sink);
    else failures.push({ sink, error: outcome.reason });
  });

  if (failures.length > 0) {
    // Sinks that have their share (delivered or queued) are skipped by the retry.
    if (delivered.length > 0 || outcomes.some((outcome) => outcome.status === 'fulfilled')) await job.updateProgress({ enqueued: [...enqueued] } satisfies FanOutProgress);
    throw new AuditDeliveryError(failures);
  }
  return { events: events.length, sinks: [...enqueued] };
}

/**
 * Single-destination mode: the one sink gets the batch from here. Progress is written in the
 * format the fan-out honours (`delivered`, `undelivered`), so switching modes keeps retries exact.
 */
async function deliverDirectly(job: Job<unknown, AuditExportResult>, pending: readonly Target[], done: Set<string>): Promise<AuditExportResult> {
  const target = pending[0];
  if (!target) return { events: 0, sinks: [...done] };
  const sink = target.sinkInstance;
  try {
    await sink.deliver(target.events);
  } catch (err) {
    const partial = err instanceof SinkDeliveryError ? err.undeliveredIds : undefined;
    if (partial) await job.updateProgress({ delivered: [...done], undelivered: { [sink.name]: [...partial] } } satisfies FanOutProgress);
    throw err;
  }
  return { events: target.events.length, sinks: [...done, sink.name] };
}
