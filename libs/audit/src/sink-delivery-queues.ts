import { createHash } from 'node:crypto';
import type { BusNames } from '@mcpg/bus';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { AuditEvent } from './audit-event.js';

/**
 * Stage 2 of the audit pipeline (DESIGN.md §7): every sink has its own BullMQ queue of delivery
 * jobs, so a slow or failing sink only ever delays its own queue. The exporter's fan-out (stage 1)
 * reads `audit-export` and adds one job per target sink; one worker per sink queue delivers.
 *
 * Shared by the exporter (writes) and the control plane (lists and replays dead letters, which are
 * the failed sets of these queues).
 */

export const AUDIT_DELIVERY_JOB_NAME = 'audit-delivery';

/** Queue names are `audit-deliver.<sink>` with the sink name's one `:` turned into `.`. */
export const AUDIT_SINK_QUEUE_PREFIX = 'audit-deliver.';

/**
 * Exporter-wide sinks are named like `splunk-hec`, tenant sinks `tenant-sink:<uuid>`. BullMQ
 * refuses `:` in queue names, and `.` never occurs in a sink name, so the mapping is one to one.
 */
const SINK_NAME = /^[A-Za-z0-9_-]{1,80}(?::[A-Za-z0-9_-]{1,80})?$/;

export function isValidSinkName(sink: string): boolean {
  return SINK_NAME.test(sink);
}

export function auditSinkQueueName(sink: string): string {
  if (!SINK_NAME.test(sink)) throw new Error(`sink name "${sink}" cannot name a queue (letters, digits, _ and - with at most one ":")`);
  return `${AUDIT_SINK_QUEUE_PREFIX}${sink.replace(':', '.')}`;
}

/** Redis hash: sink queue name → SinkQueueEntry JSON. Written by exporters, read by the control plane. */
export function auditSinkQueuesKey(names: BusNames): string {
  return `${names.keyPrefix}mcpg:audit-sink-queues`;
}

export interface SinkQueueEntry {
  /** Sink name as the exporter knows it: `splunk-hec`, `tenant-sink:<id>`, … */
  sink: string;
  /** BullMQ queue name (`auditSinkQueueName(sink)`). */
  queue: string;
  /** The tenant owning the sink; null for the exporter-wide sinks, which get every tenant's events. */
  tenantId: string | null;
}

const entrySchema = z.object({ sink: z.string().refine(isValidSinkName), tenantId: z.string().min(1).nullable() });

/** Records that a sink queue exists. Idempotent; an entry is never removed (its dead letters may outlive the sink). */
export async function registerSinkQueue(redis: Redis, names: BusNames, sink: string, tenantId: string | null): Promise<SinkQueueEntry> {
  const queue = auditSinkQueueName(sink);
  await redis.hset(auditSinkQueuesKey(names), queue, JSON.stringify({ sink, tenantId }));
  return { sink, queue, tenantId };
}

/** Every registered sink queue, sorted by name; malformed entries are skipped. */
export async function listSinkQueues(redis: Redis, names: BusNames): Promise<SinkQueueEntry[]> {
  const raw = await redis.hgetall(auditSinkQueuesKey(names));
  const entries: SinkQueueEntry[] = [];
  for (const [queue, json] of Object.entries(raw)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      continue;
    }
    const entry = entrySchema.safeParse(parsed);
    if (entry.success && auditSinkQueueName(entry.data.sink) === queue) entries.push({ queue, ...entry.data });
  }
  return entries.sort((a, b) => a.queue.localeCompare(b.queue));
}

/** Data of one delivery job: the events of one `audit-export` batch that go to one sink. */
export interface SinkDeliveryJob {
  /** Id of the `audit-export` job it came from, for tracing. */
  batchId: string;
  sink: string;
  tenantId: string | null;
  events: AuditEvent[];
}

/**
 * Deterministic job id of a delivery job: the id of its first event. An event belongs to one
 * batch only, so within one sink queue this is unique, and a fan-out repeated after a crash adds
 * the same id again, which BullMQ ignores while the first job is kept.
 */
export function sinkDeliveryJobId(events: readonly AuditEvent[]): string {
  const first = events[0];
  if (!first) throw new Error('a delivery job needs at least one event');
  // BullMQ refuses custom ids with `:` and ids that read as integers; proxies' ids are UUIDv7.
  if (/^[A-Za-z0-9_.-]{1,200}$/.test(first.id) && !/^\d+$/.test(first.id)) return first.id;
  return `sha256-${createHash('sha256').update(first.id).digest('hex')}`;
}
