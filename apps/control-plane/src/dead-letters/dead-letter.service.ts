import { AUDIT_BATCH_JOB_NAME, AUDIT_DELIVERY_JOB_NAME, type AuditBatch, type SinkDeliveryJob } from '@mcpg/audit';
import type { Logger } from '@mcpg/observability';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Job } from 'bullmq';
import { z } from 'zod';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { AdminChangeRecorder } from '../admin-changes/admin-change-recorder.js';
import { AUDIT_DEAD_LETTER_QUEUES, LOGGER } from '../control-plane.tokens.js';
import { notFound } from '../errors/admin-error.js';
import { parseInput } from '../validation/parse-input.js';
import type { AuditDeadLetterQueues, DeadLetterSource } from './dead-letter-queues.js';
import type { AuditDeadLetterModel, AuditDeadLetterPageModel } from './dead-letter.model.js';

export const MAX_PAGE_SIZE = 200;

const listSchema = z.object({
  first: z.number().int().min(1).max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`),
  after: z
    .string()
    .regex(/^\d{1,9}$/, 'is not a cursor from this list')
    .transform(Number)
    .optional(),
});
const idSchema = z.object({ id: z.string().min(1).max(300) });

type AnyJob = Job<AuditBatch | SinkDeliveryJob>;

/**
 * Dead letters are the failed sets of the region's audit queues (DESIGN.md §7): `audit-export`
 * (batches the exporter could not fan out: invalid, or a tenant's sinks unresolvable) and each
 * per-sink delivery queue (deliveries a sink did not take within the attempts). Listing reads
 * them, newest first across queues; a replay moves a job back to its own queue's waiting list
 * with fresh attempts, so a sink's dead letter goes to that sink only.
 *
 * Ids: an `audit-export` dead letter keeps its job id (the batch's first event id); a sink's is
 * `<sink>/<job id>` (sink names never contain `/`).
 */
@Injectable()
export class DeadLetterService implements OnModuleDestroy {
  constructor(
    @Inject(AUDIT_DEAD_LETTER_QUEUES) private readonly queues: AuditDeadLetterQueues,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(AdminChangeRecorder) private readonly changes: AdminChangeRecorder,
  ) {}

  /** All dead letters (platform admins), or only those of one tenant's sinks. */
  async list(args: { first: number; after?: string | null; tenantId?: string }): Promise<AuditDeadLetterPageModel> {
    const { first, after } = parseInput(listSchema, { first: args.first, after: args.after ?? undefined });
    const start = after ?? 0;
    const sources = await this.queues.sources(args.tenantId);
    // Newest first across queues: each queue's failed set is already newest first, so its first
    // `start + first` jobs are all a merged page can need.
    const perSource = await Promise.all(
      sources.map(async (source) => {
        const [jobs, count] = await Promise.all([source.queue.getFailed(0, start + first - 1), source.queue.getFailedCount()]);
        return { count, models: jobs.filter((job): job is AnyJob => job !== undefined).map((job) => toModel(job, source)) };
      }),
    );
    const totalCount = perSource.reduce((sum, s) => sum + s.count, 0);
    const merged = perSource
      .flatMap((s) => s.models)
      .sort((a, b) => (b.failedAt?.getTime() ?? 0) - (a.failedAt?.getTime() ?? 0) || a.id.localeCompare(b.id));
    const nodes = merged.slice(start, start + first);
    const next = start + nodes.length;
    return { nodes, totalCount, nextCursor: nodes.length === first && next < totalCount ? String(next) : null };
  }

  /** Replays one dead letter; with `tenantId`, only one of that tenant's sinks (else NOT_FOUND). */
  async replay(idArg: string, admin: AdminPrincipal, tenantId?: string): Promise<AuditDeadLetterModel> {
    const { id } = parseInput(idSchema, { id: idArg });
    const found = await this.find(id, tenantId);
    if (!found) throw notFound('id', 'dead letter');
    const model = toModel(found.job, found.source);
    // Fresh attempts: the exporter counts started attempts (maxStartedAttempts), so both reset.
    await found.job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    this.logger.info('audit dead letter replayed', { id, sink: model.sink, events: model.eventCount });
    this.changes.record(admin, { action: 'replayAuditDeadLetter', targetType: 'AuditDeadLetter', targetId: id, tenantId: tenantId ?? model.sinkTenantId, before: model });
    return model;
  }

  /**
   * Replays every dead letter present when called (of one tenant's sinks, with `tenantId`);
   * resolves with how many. The sets are read first, so a job that fails again at once (say, one
   * no sink can take) is not replayed in a loop.
   */
  async replayAll(admin: AdminPrincipal, tenantId?: string): Promise<number> {
    const sources = await this.queues.sources(tenantId);
    let replayed = 0;
    for (const source of sources) {
      const total = await source.queue.getFailedCount();
      if (total === 0) continue;
      const jobs = (await source.queue.getFailed(0, total - 1)).filter((job): job is AnyJob => job !== undefined);
      for (const job of jobs) {
        if (!(await job.isFailed())) continue;
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        replayed++;
      }
    }
    this.logger.info('all audit dead letters replayed', { count: replayed, tenantId });
    this.changes.record(admin, { action: 'replayAllAuditDeadLetters', targetType: 'AuditDeadLetter', targetId: null, tenantId: tenantId ?? null, after: { replayed } });
    return replayed;
  }

  private async find(id: string, tenantId: string | undefined): Promise<{ job: AnyJob; source: DeadLetterSource } | null> {
    const sources = await this.queues.sources(tenantId);
    const slash = id.indexOf('/');
    const sink = slash > 0 ? id.slice(0, slash) : null;
    const source = sources.find((s) => s.sink === sink);
    if (!source) return null;
    const job = (await source.queue.getJob(sink === null ? id : id.slice(slash + 1))) as AnyJob | undefined;
    const expectedName = sink === null ? AUDIT_BATCH_JOB_NAME : AUDIT_DELIVERY_JOB_NAME;
    if (!job || job.name !== expectedName || !(await job.isFailed())) return null;
    return { job, source };
  }

  async onModuleDestroy(): Promise<void> {
    await this.queues.close();
  }
}

function toModel(job: AnyJob, source: DeadLetterSource): AuditDeadLetterModel {
  const events = Array.isArray(job.data?.events) ? job.data.events : [];
  const times = events.map((e) => Date.parse(e.time)).filter(Number.isFinite).sort((a, b) => a - b);
  return {
    id: source.sink === null ? String(job.id) : `${source.sink}/${String(job.id)}`,
    sink: source.sink,
    sinkTenantId: source.tenantId,
    failedReason: job.failedReason ?? '',
    attemptsMade: job.attemptsMade,
    failedAt: job.finishedOn ? new Date(job.finishedOn) : null,
    eventCount: events.length,
    firstEventTime: times.length ? new Date(times[0]!) : null,
    lastEventTime: times.length ? new Date(times.at(-1)!) : null,
    tenantIds: [...new Set(events.map((e) => e.tenantId).filter((t): t is string => typeof t === 'string'))].sort(),
    deliveredTo: source.sink === null ? handedOnTo(job.progress) : [],
  };
}

/** Sinks an `audit-export` batch already reached: delivery jobs added (or, from older exporters, deliveries made). */
function handedOnTo(progress: unknown): string[] {
  const p = progress as { enqueued?: unknown; delivered?: unknown } | undefined;
  const names = [...(Array.isArray(p?.enqueued) ? p.enqueued : []), ...(Array.isArray(p?.delivered) ? p.delivered : [])];
  return [...new Set(names.filter((s): s is string => typeof s === 'string'))];
}
