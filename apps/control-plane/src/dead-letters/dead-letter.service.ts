import { AUDIT_BATCH_JOB_NAME, type AuditBatch } from '@mcpg/audit';
import type { Logger } from '@mcpg/observability';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { z } from 'zod';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { AdminChangeRecorder } from '../admin-changes/admin-change-recorder.js';
import { AUDIT_QUEUE, LOGGER } from '../control-plane.tokens.js';
import { notFound } from '../errors/admin-error.js';
import { parseInput } from '../validation/parse-input.js';
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
const idSchema = z.object({ id: z.string().min(1).max(200) });

/**
 * Dead letters are the failed set of the region's `audit-export` queue (DESIGN.md §7): the
 * exporter keeps every batch it gave up on there, with the reason and its per-sink progress.
 * Listing reads them; a replay moves a batch back to the waiting list with fresh attempts, and
 * the exporter delivers it to the sinks that do not have it yet.
 */
@Injectable()
export class DeadLetterService implements OnModuleDestroy {
  constructor(
    @Inject(AUDIT_QUEUE) private readonly queue: Queue<AuditBatch>,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(AdminChangeRecorder) private readonly changes: AdminChangeRecorder,
  ) {}

  async list(args: { first: number; after?: string | null }): Promise<AuditDeadLetterPageModel> {
    const { first, after } = parseInput(listSchema, { first: args.first, after: args.after ?? undefined });
    const start = after ?? 0;
    const [jobs, totalCount] = await Promise.all([this.queue.getFailed(start, start + first - 1), this.queue.getFailedCount()]);
    const nodes = jobs.filter((job): job is Job<AuditBatch> => job !== undefined).map(toModel);
    const next = start + jobs.length;
    return { nodes, totalCount, nextCursor: jobs.length === first && next < totalCount ? String(next) : null };
  }

  async replay(idArg: string, admin: AdminPrincipal): Promise<AuditDeadLetterModel> {
    const { id } = parseInput(idSchema, { id: idArg });
    const job = await this.queue.getJob(id);
    if (!job || job.name !== AUDIT_BATCH_JOB_NAME || !(await job.isFailed())) throw notFound('id', 'dead letter');
    const model = toModel(job);
    // Fresh attempts: the exporter counts started attempts (maxStartedAttempts), so both reset.
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    this.logger.info('audit dead letter replayed', { jobId: id, events: model.eventCount });
    this.changes.record(admin, { action: 'replayAuditDeadLetter', targetType: 'AuditDeadLetter', targetId: id, tenantId: null, before: model });
    return model;
  }

  /**
   * Replays every dead letter present when called; resolves with how many. The set is read first,
   * so a batch that fails again at once (say, one no sink can take) is not replayed in a loop.
   */
  async replayAll(admin: AdminPrincipal): Promise<number> {
    const total = await this.queue.getFailedCount();
    const jobs = (await this.queue.getFailed(0, total - 1)).filter((job): job is Job<AuditBatch> => job !== undefined);
    let replayed = 0;
    for (const job of jobs) {
      if (!(await job.isFailed())) continue;
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      replayed++;
    }
    this.logger.info('all audit dead letters replayed', { count: replayed });
    this.changes.record(admin, { action: 'replayAllAuditDeadLetters', targetType: 'AuditDeadLetter', targetId: null, tenantId: null, after: { replayed } });
    return replayed;
  }

  async onModuleDestroy(): Promise<void> {
    await this.queue.close();
  }
}

function toModel(job: Job<AuditBatch>): AuditDeadLetterModel {
  const events = Array.isArray(job.data?.events) ? job.data.events : [];
  const times = events.map((e) => Date.parse(e.time)).filter(Number.isFinite).sort((a, b) => a - b);
  const progress = job.progress as { delivered?: unknown } | undefined;
  return {
    id: String(job.id),
    failedReason: job.failedReason ?? '',
    attemptsMade: job.attemptsMade,
    failedAt: job.finishedOn ? new Date(job.finishedOn) : null,
    eventCount: events.length,
    firstEventTime: times.length ? new Date(times[0]!) : null,
    lastEventTime: times.length ? new Date(times.at(-1)!) : null,
    tenantIds: [...new Set(events.map((e) => e.tenantId).filter((t): t is string => typeof t === 'string'))].sort(),
    deliveredTo: Array.isArray(progress?.delivered) ? progress.delivered.filter((s): s is string => typeof s === 'string') : [],
  };
}
