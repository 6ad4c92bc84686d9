/**
 * Every Redis key, channel and queue name (DESIGN.md §6, §7). `keyPrefix` namespaces a whole
 * deployment (or one test file) on a shared Redis; production leaves it empty.
 */
export interface BusNames {
  readonly keyPrefix: string;
  snapshotKey(tenantId: string): string;
  readonly manifestKey: string;
  readonly snapshotChannel: string;
  /** BullMQ queue of audit-event batches. */
  readonly auditQueue: string;
  /** BullMQ's own key prefix (it stores queues under `{bullPrefix}:{queue}:*`). */
  readonly bullPrefix: string;
}

export const AUDIT_QUEUE_NAME = 'audit-export';

export function busNames(keyPrefix = ''): BusNames {
  return {
    keyPrefix,
    snapshotKey: (tenantId) => `${keyPrefix}mcpg:snap:${tenantId}`,
    manifestKey: `${keyPrefix}mcpg:manifest`,
    snapshotChannel: `${keyPrefix}mcpg:snapshots`,
    auditQueue: AUDIT_QUEUE_NAME,
    bullPrefix: `${keyPrefix}bull`,
  };
}
