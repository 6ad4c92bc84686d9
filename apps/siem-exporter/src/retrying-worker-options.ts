import { auditExportBackoffDelayMs, AUDIT_EXPORT_BACKOFF_TYPE, type AuditExportBackoff } from '@mcpg/audit';
import type { BusNames } from '@mcpg/bus';
import type { Logger } from '@mcpg/observability';
import type { WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * BullMQ worker options shared by both stages of the exporter: attempts counted by starts
 * (crashes included) and by stalls, the audit export backoff, and an optional lock duration.
 */
export function retryingWorkerOptions(options: {
  connection: Redis;
  names: BusNames;
  concurrency: number;
  maxAttempts: number;
  backoff: AuditExportBackoff;
  lockMs?: number | undefined;
  logger: Logger;
}): WorkerOptions {
  return {
    connection: options.connection,
    prefix: options.names.bullPrefix,
    concurrency: options.concurrency,
    // Counts starts, crashes included, and applies whatever `attempts` the producer stamped.
    maxStartedAttempts: options.maxAttempts,
    // A crash mid-job is an attempt (maxStartedAttempts counts it), not a reason to fail early.
    maxStalledCount: options.maxAttempts,
    ...(options.lockMs !== undefined ? { lockDuration: options.lockMs, stalledInterval: options.lockMs } : {}),
    settings: {
      backoffStrategy: (attemptsMade: number, type?: string) => {
        if (type !== AUDIT_EXPORT_BACKOFF_TYPE) options.logger.warn('job names an unknown backoff type; using the audit export backoff', { type });
        return auditExportBackoffDelayMs(attemptsMade, options.backoff);
      },
    },
  };
}
