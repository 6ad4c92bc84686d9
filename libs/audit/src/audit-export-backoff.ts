/**
 * Retry timing for `audit-export` jobs, shared by both ends of the queue (DESIGN.md §7).
 *
 * BullMQ reads a job's retry policy from the job's own options, which the producer (the proxy)
 * sets. The proxy should not own how a SIEM outage is ridden out, so the writer stamps jobs with
 * this named backoff type and the exporter supplies the delays for it
 * (`WorkerOptions.settings.backoffStrategy`). Changing the backoff is then an exporter setting.
 */
export const AUDIT_EXPORT_BACKOFF_TYPE = 'mcpg-audit-export';

export interface AuditExportBackoff {
  /** Delay before the first retry; doubles with each further attempt. */
  baseDelayMs: number;
  /** Upper bound for any single delay. */
  maxDelayMs: number;
}

/**
 * Exponential backoff with "equal jitter": half of the capped exponential delay is fixed, the
 * other half random. Every retry waits at least half the nominal delay, and exporters that
 * failed together (one SIEM outage) do not retry in lockstep.
 *
 * @param attemptsMade 1 for the first retry, as BullMQ counts.
 */
export function auditExportBackoffDelayMs(
  attemptsMade: number,
  backoff: AuditExportBackoff,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, attemptsMade - 1);
  const nominalMs = Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** exponent);
  const halfMs = nominalMs / 2;
  return Math.round(halfMs + random() * halfMs);
}
