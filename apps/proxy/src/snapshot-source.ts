import { AuditQueueWriter } from '@mcpg/audit';
import { busNames, SnapshotSubscriber } from '@mcpg/bus';
import type { Logger } from '@mcpg/observability';
import { Redis } from 'ioredis';
import type { AuditWriter } from './audit-recorder.js';
import type { ProxyConfig } from './config.js';
import type { SnapshotStore } from './snapshot-store.js';

/** Where audit events go: queued, flushed on demand, closed at shutdown. */
export interface AuditSink extends AuditWriter {
  drain(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Where a proxy gets its tenants' snapshots from and sends its audit events to (DESIGN.md §9:
 * "same code path, different snapshot source"): the region's Redis, or a local policy file.
 */
export interface SnapshotSource {
  readonly audit: AuditSink;
  /** Loads every snapshot into the store and keeps them current; resolves after the first full load. */
  start(store: SnapshotStore): Promise<void>;
  readonly isReady: boolean;
  close(): Promise<void>;
}

/** The region's Redis: snapshots by manifest + pub/sub, audit batches to the BullMQ queue. */
export function redisSnapshotSource(config: ProxyConfig, log: Logger): SnapshotSource {
  const names = busNames(config.redisKeyPrefix);
  // Commands wait out a Redis outage instead of failing after a fixed number of retries.
  const redisOptions = { maxRetriesPerRequest: null } as const;
  const redis = new Redis(config.redisUrl, redisOptions);
  const subscriberRedis = new Redis(config.redisUrl, redisOptions);
  const queueRedis = new Redis(config.redisUrl, redisOptions);
  for (const [name, conn] of [['redis', redis], ['subscriber', subscriberRedis], ['queue', queueRedis]] as const) {
    conn.on('error', (err) => log.warn('redis connection error', { connection: name, err }));
  }
  const audit = new AuditQueueWriter({
    connection: queueRedis,
    names,
    maxBatchSize: config.auditBatchSize,
    flushIntervalMs: config.auditFlushMs,
    logger: log,
  });
  let subscriber: SnapshotSubscriber | null = null;
  return {
    audit,
    async start(store) {
      subscriber = new SnapshotSubscriber(redis, subscriberRedis, names, store, {
        onError: (err, context) => log.error('snapshot sync failed', { context, err }),
      });
      await subscriber.start();
    },
    get isReady() {
      return subscriber?.hasSynced ?? false;
    },
    async close() {
      await audit.close();
      redis.disconnect();
      subscriberRedis.disconnect();
      queueRedis.disconnect();
    },
  };
}
