import { listSinkQueues, type AuditBatch, type SinkDeliveryJob } from '@mcpg/audit';
import type { BusNames } from '@mcpg/bus';
import type { Logger } from '@mcpg/observability';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** One queue whose failed set holds dead letters. */
export interface DeadLetterSource {
  queue: Queue<AuditBatch | SinkDeliveryJob>;
  /** The sink of a per-sink delivery queue; null for `audit-export` (batches that failed before fan-out). */
  sink: string | null;
  /** The tenant owning that sink; null for exporter-wide sinks and `audit-export`. */
  tenantId: string | null;
}

/**
 * The region's queues that can hold dead letters (DESIGN.md §7): `audit-export` and every per-sink
 * delivery queue the exporters registered in `mcpg:audit-sink-queues`. Queue handles are opened
 * once and shared (they use the control plane's Redis connection).
 */
export class AuditDeadLetterQueues {
  private readonly exportQueue: Queue<AuditBatch>;
  private readonly sinkQueues = new Map<string, Queue<SinkDeliveryJob>>();

  constructor(
    private readonly redis: Redis,
    private readonly names: BusNames,
    private readonly logger: Logger,
  ) {
    this.exportQueue = this.open(names.auditQueue) as Queue<AuditBatch>;
  }

  /**
   * Every source, or only the sink queues of one tenant: a tenant's admins see the dead letters of
   * their own sinks, which hold their events only. `audit-export` and exporter-wide sinks mix
   * tenants, so they are listed for platform admins only (no `tenantId`).
   */
  async sources(tenantId?: string): Promise<DeadLetterSource[]> {
    const entries = await listSinkQueues(this.redis, this.names);
    const sinks = entries
      .filter((entry) => tenantId === undefined || entry.tenantId === tenantId)
      .map((entry) => {
        let queue = this.sinkQueues.get(entry.queue);
        if (!queue) this.sinkQueues.set(entry.queue, (queue = this.open(entry.queue) as Queue<SinkDeliveryJob>));
        return { queue: queue as DeadLetterSource['queue'], sink: entry.sink, tenantId: entry.tenantId };
      });
    return tenantId === undefined ? [{ queue: this.exportQueue as DeadLetterSource['queue'], sink: null, tenantId: null }, ...sinks] : sinks;
  }

  private open(name: string): Queue {
    const queue = new Queue(name, { connection: this.redis, prefix: this.names.bullPrefix });
    queue.on('error', (err) => this.logger.warn('audit queue connection error', { queue: name, err }));
    return queue;
  }

  async close(): Promise<void> {
    await Promise.all([this.exportQueue, ...this.sinkQueues.values()].map((queue) => queue.close()));
  }
}
