import type { AuditBatch, AuditEvent } from '@mcpg/audit';
import type { BusNames } from '@mcpg/bus';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

/** Every audit event in the `audit-export` queue of `names` (any job state), for asserting on what a proxy recorded. */
export async function queuedAuditEvents(names: BusNames, redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'): Promise<AuditEvent[]> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue<AuditBatch>(names.auditQueue, { connection, prefix: names.bullPrefix });
  try {
    const jobs = await queue.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized']);
    return jobs.flatMap((j) => j.data.events);
  } finally {
    await queue.close();
    connection.disconnect();
  }
}
