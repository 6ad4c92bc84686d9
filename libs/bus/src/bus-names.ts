/**
 * Every Redis key, channel and queue name (DESIGN.md §6, §7). `keyPrefix` namespaces a whole
 * deployment (or one test file) on a shared Redis; production leaves it empty.
 */
export interface BusNames {
  readonly keyPrefix: string;
  snapshotKey(tenantId: string): string;
  readonly manifestKey: string;
  readonly snapshotChannel: string;
  /** One key per live proxy, holding its last heartbeat; expires when the proxy stops reporting. */
  heartbeatKey(proxyId: string): string;
  /** SCAN pattern matching every heartbeat key. */
  readonly heartbeatPattern: string;
  /**
   * Legacy HTTP+SSE answers the proxy makes itself (denied messages) for a client whose SSE
   * stream is held by another proxy of the region: `{ sessionId, message }`.
   */
  readonly legacySseChannel: string;
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
    heartbeatKey: (proxyId) => `${keyPrefix}mcpg:heartbeat:${proxyId}`,
    heartbeatPattern: `${keyPrefix}mcpg:heartbeat:*`,
    legacySseChannel: `${keyPrefix}mcpg:legacy-sse`,
    auditQueue: AUDIT_QUEUE_NAME,
    bullPrefix: `${keyPrefix}bull`,
  };
}
