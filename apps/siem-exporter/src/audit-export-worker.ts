import { AUDIT_EXPORT_BACKOFF_TYPE, auditBatchSchema, auditExportBackoffDelayMs, type AuditEvent, type AuditExportBackoff } from '@mcpg/audit';
import type { BusNames } from '@mcpg/bus';
import type { Logger } from '@mcpg/observability';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { SinkDeliveryError, type AuditSink } from './sinks/audit-sink.js';

/**
 * Kept in the job's progress across retries: the sinks that already have this batch. A retry
 * skips them, so one sink's outage does not duplicate the batch everywhere else. A crash between
 * a sink accepting and this being saved still re-sends to that sink: delivery is at least once,
 * and event ids let the receiving side deduplicate.
 */
export const deliveryProgressSchema = z.object({
  delivered: z.array(z.string()),
  /** Sinks that took part of the batch (Elastic item results): event ids each still lacks. */
  undelivered: z.record(z.string(), z.array(z.string())).optional(),
});
export type DeliveryProgress = z.infer<typeof deliveryProgressSchema>;

export interface AuditExportResult {
  events: number;
  sinks: string[];
}

export interface AuditExportWorkerOptions {
  /** Created with `maxRetriesPerRequest: null` (BullMQ requires it for workers); left open by close. */
  connection: Redis;
  names: BusNames;
  sinks: readonly AuditSink[];
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

/** One batch that failed at one or more sinks; the message lists each sink's reason. */
export class AuditDeliveryError extends Error {
  override readonly name = 'AuditDeliveryError';

  constructor(readonly failures: readonly { sink: string; error: unknown }[]) {
    super(`delivery failed at ${failures.map((f) => (f.error instanceof Error ? f.error.message : `${f.sink}: ${String(f.error)}`)).join('; ')}`);
  }
}

/**
 * Consumes `audit-export`: validates each job as an AuditBatch and delivers it to every sink.
 * A job whose data is not a valid batch fails at once (retrying cannot fix it) and stays in the
 * failed set for inspection. A sink failure fails the attempt, and BullMQ retries the job after
 * `AUDIT_EXPORT_BACKOFF_TYPE` backoff until `maxAttempts`; then the job stays in the failed set.
 */
export function createAuditExportWorker(options: AuditExportWorkerOptions): Worker<unknown, AuditExportResult> {
  const { logger, sinks } = options;
  const worker = new Worker<unknown, AuditExportResult>(options.names.auditQueue, (job) => exportBatch(job, sinks, options.tenantSinks, logger), {
    connection: options.connection,
    prefix: options.names.bullPrefix,
    concurrency: options.concurrency,
    // Counts starts, crashes included, and applies whatever `attempts` the producer stamped.
    maxStartedAttempts: options.maxAttempts,
    // A crash mid-batch is an attempt (maxStartedAttempts counts it), not a reason to fail early.
    maxStalledCount: options.maxAttempts,
    ...(options.lockMs !== undefined ? { lockDuration: options.lockMs, stalledInterval: options.lockMs } : {}),
    settings: {
      backoffStrategy: (attemptsMade, type) => {
        if (type !== AUDIT_EXPORT_BACKOFF_TYPE) logger.warn('job names an unknown backoff type; using the audit export backoff', { type });
        return auditExportBackoffDelayMs(attemptsMade, options.backoff);
      },
    },
  });

  worker.on('failed', (job, err) => {
    if (!job) return;
    // BullMQ sets finishedOn only when the job is not going to be retried.
    const isFinal = job.finishedOn !== undefined;
    const fields = { jobId: job.id, attemptsMade: job.attemptsMade, err };
    if (isFinal) logger.error('audit batch failed for good; kept in the failed set', fields);
    else logger.warn('audit batch delivery failed; will retry', fields);
  });
  worker.on('error', (err) => logger.error('audit export worker error', { err }));
  return worker;
}

/** Where one batch goes: every exporter sink with all events, each tenant sink with its tenant's. */
async function deliveryTargets(
  events: readonly AuditEvent[],
  sinks: readonly AuditSink[],
  tenantSinks: TenantSinkSource | undefined,
): Promise<{ targets: { sink: AuditSink; events: readonly AuditEvent[] }[]; failures: { sink: string; error: unknown }[] }> {
  const targets = sinks.map((sink) => ({ sink, events }));
  const failures: { sink: string; error: unknown }[] = [];
  if (!tenantSinks) return { targets, failures };
  const byTenant = new Map<string, AuditEvent[]>();
  for (const event of events) if (event.tenantId !== null) (byTenant.get(event.tenantId) ?? byTenant.set(event.tenantId, []).get(event.tenantId)!).push(event);
  await Promise.all(
    [...byTenant].map(async ([tenantId, tenantEvents]) => {
      try {
        for (const sink of await tenantSinks.sinksFor(tenantId)) targets.push({ sink, events: tenantEvents });
      } catch (error) {
        // Cannot tell where this tenant's events go (snapshot or secret unreadable): retry the batch.
        failures.push({ sink: `tenant-sinks:${tenantId}`, error });
      }
    }),
  );
  return { targets, failures };
}

async function exportBatch(
  job: Job<unknown, AuditExportResult>,
  sinks: readonly AuditSink[],
  tenantSinks: TenantSinkSource | undefined,
  logger: Logger,
): Promise<AuditExportResult> {
  const batch = auditBatchSchema.safeParse(job.data);
  if (!batch.success) {
    const issues = batch.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    logger.error('audit job is not a valid batch; failing it without retry', { jobId: job.id, issues });
    throw new UnrecoverableError(`invalid audit batch: ${issues.join('; ')}`);
  }
  const { events } = batch.data;

  const previous = deliveryProgressSchema.safeParse(job.progress);
  const delivered = new Set(previous.success ? previous.data.delivered : []);
  const undelivered: Record<string, string[]> = { ...(previous.success ? previous.data.undelivered : undefined) };
  const { targets, failures } = await deliveryTargets(events, sinks, tenantSinks);
  const pending = targets.filter((target) => !delivered.has(target.sink.name));

  // Settled together and each bounded by its own timeout: one slow sink does not fail the others.
  const outcomes = await Promise.allSettled(
    pending.map(({ sink, events: forSink }) => {
      const missing = undelivered[sink.name];
      if (!missing) return sink.deliver(forSink);
      const ids = new Set(missing);
      return sink.deliver(forSink.filter((event) => ids.has(event.id)));
    }),
  );
  let isProgressChanged = false;
  outcomes.forEach((outcome, i) => {
    const sink = pending[i]!.sink.name;
    if (outcome.status === 'fulfilled') {
      delivered.add(sink);
      delete undelivered[sink];
      isProgressChanged = true;
      return;
    }
    failures.push({ sink, error: outcome.reason });
    const partial = outcome.reason instanceof SinkDeliveryError ? outcome.reason.undeliveredIds : undefined;
    if (partial) {
      undelivered[sink] = [...partial];
      isProgressChanged = true;
    }
  });

  if (failures.length > 0) {
    if (isProgressChanged) await job.updateProgress({ delivered: [...delivered], undelivered } satisfies DeliveryProgress);
    throw new AuditDeliveryError(failures);
  }
  return { events: events.length, sinks: [...delivered] };
}
