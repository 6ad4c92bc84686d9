import { AuditQueueWriter, AuditSpool } from '@mcpg/audit';
import { busNames, SnapshotSubscriber } from '@mcpg/bus';
import type { JsonRpcResponse } from '@mcpg/mcp';
import type { Logger } from '@mcpg/observability';
import { Redis } from 'ioredis';
import type { AuditWriter } from './audit-recorder.js';
import type { ProxyConfig } from './config.js';
import { startHeartbeat, type Heartbeat } from './heartbeat.js';
import type { ProxyMetrics } from './proxy-metrics.js';
import type { SnapshotStore } from './snapshot-store.js';

/** Where audit events go: queued, flushed on demand, closed at shutdown. */
export interface AuditSink extends AuditWriter {
  drain(): Promise<void>;
  close(): Promise<void>;
  /** Bytes waiting in a local spool for the queue to come back (0 when there is none). */
  readonly spoolBacklogBytes?: number;
}

/** Carries legacy-SSE answers to whichever proxy of the region holds the client's stream. */
export interface LegacyRelay {
  publish(sessionId: string, message: JsonRpcResponse): Promise<void>;
  /** Where messages for streams go on this proxy; set once, before `start`. */
  onMessage(deliver: (sessionId: string, message: JsonRpcResponse) => void): void;
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
  /** Absent for a single proxy (standalone): every stream is local then. */
  readonly legacyRelay?: LegacyRelay;
  close(): Promise<void>;
}

/** What the Redis source reports back to the proxy that owns it. */
export interface RedisSourceObserver {
  readonly metrics: ProxyMetrics;
  /** A full spool refused events; called once the refusals end, with how many and which. */
  spoolRefusalsEnded(summary: Record<string, unknown>): void;
}

/**
 * The region's Redis: snapshots by manifest + pub/sub, audit batches to the BullMQ queue (spooled
 * to a local file while Redis is unreachable), and this proxy's heartbeat for rollout status.
 */
export function redisSnapshotSource(config: ProxyConfig, log: Logger, observer: RedisSourceObserver): SnapshotSource {
  const names = busNames(config.redisKeyPrefix);
  // Commands wait out a Redis outage instead of failing after a fixed number of retries.
  const redisOptions = { maxRetriesPerRequest: null } as const;
  const redis = new Redis(config.redisUrl, redisOptions);
  const subscriberRedis = new Redis(config.redisUrl, redisOptions);
  // Audit adds fail at once while Redis is down (no offline queue, no resend after a reconnect), so
  // batches go to the spool and none lands later out of order.
  const queueRedis = new Redis(config.redisUrl, { maxRetriesPerRequest: 0, enableOfflineQueue: false });
  const relayRedis = new Redis(config.redisUrl, redisOptions);
  for (const [name, conn] of [['redis', redis], ['subscriber', subscriberRedis], ['queue', queueRedis], ['legacy-relay', relayRedis]] as const) {
    conn.on('error', (err) => log.warn('redis connection error', { connection: name, err }));
  }
  const { metrics } = observer;
  const audit = new AuditQueueWriter({
    connection: queueRedis,
    names,
    maxBatchSize: config.auditBatchSize,
    flushIntervalMs: config.auditFlushMs,
    logger: log,
    spool: new AuditSpool({ path: config.auditSpoolFile, maxBytes: config.auditSpoolMaxBytes }),
    addTimeoutMs: config.auditAddTimeoutMs,
    replayIntervalMs: config.auditSpoolReplayMs,
    spoolObserver: {
      spooled: (count) => metrics.auditSpooledEvents.inc(count),
      refused: (events) => metrics.auditRefusedEvents.inc(events.length),
      replayed: (batches) => metrics.auditReplayedBatches.inc(batches),
      refusalsEnded: (summary) => observer.spoolRefusalsEnded({ ...summary }),
    },
  });
  let subscriber: SnapshotSubscriber | null = null;
  let heartbeat: Heartbeat | null = null;
  let deliverLegacy: ((sessionId: string, message: JsonRpcResponse) => void) | null = null;
  relayRedis.on('message', (_channel: string, raw: string) => {
    try {
      const { sessionId, message } = JSON.parse(raw) as { sessionId: string; message: JsonRpcResponse };
      deliverLegacy?.(sessionId, message);
    } catch (err) {
      log.warn('unreadable legacy SSE relay message', { err });
    }
  });
  return {
    audit,
    legacyRelay: {
      async publish(sessionId, message) {
        await redis.publish(names.legacySseChannel, JSON.stringify({ sessionId, message }));
      },
      onMessage(deliver) {
        deliverLegacy = deliver;
      },
    },
    async start(store) {
      await relayRedis.subscribe(names.legacySseChannel);
      subscriber = new SnapshotSubscriber(redis, subscriberRedis, names, store, {
        onError: (err, context) => log.error('snapshot sync failed', { context, err }),
      });
      await subscriber.start();
      heartbeat = startHeartbeat({
        redis,
        names,
        proxyId: config.proxyId,
        region: config.region,
        intervalMs: config.heartbeatIntervalMs,
        versions: () => store.versions(),
        log,
      });
      // Each applied or removed snapshot is reported at once, so rollout status does not wait a full interval.
      store.onChange = () => heartbeat?.beatSoon();
      await heartbeat.beat();
    },
    get isReady() {
      return subscriber?.hasSynced ?? false;
    },
    async close() {
      await heartbeat?.stop();
      await audit.close();
      redis.disconnect();
      subscriberRedis.disconnect();
      queueRedis.disconnect();
      relayRedis.disconnect();
    },
  };
}
