import { busNames } from '@mcpg/bus';
import { createLogger, type Logger } from '@mcpg/observability';
import { importVerificationKey } from '@mcpg/policy';
import { Redis } from 'ioredis';
import { createAuditExportWorker } from './audit-export-worker.js';
import { DirectDelivery } from './direct-delivery.js';
import type { SiemExporterConfig } from './config.js';
import { SinkDeliveryQueues, SinkGoneError, type SinkResolver } from './sink-delivery-queues.js';
import type { AuditSink } from './sinks/audit-sink.js';
import { ElasticBulkSink } from './sinks/elastic-bulk-sink.js';
import { JsonlFileSink } from './sinks/jsonl-file-sink.js';
import { SplunkHecSink } from './sinks/splunk-hec-sink.js';
import { WebhookSink } from './sinks/webhook-sink.js';
import { TenantSinkDirectory } from './tenant-sinks/tenant-sink-directory.js';

export interface SiemExporter {
  /** Stops taking jobs, lets the ones in progress finish, then closes sinks and Redis. */
  close(): Promise<void>;
}

function createSinks(config: SiemExporterConfig): AuditSink[] {
  const sinks: AuditSink[] = [];
  if (config.splunk) sinks.push(new SplunkHecSink(config.splunk));
  if (config.elastic) sinks.push(new ElasticBulkSink(config.elastic));
  if (config.webhook) sinks.push(new WebhookSink(config.webhook));
  if (config.auditFile) sinks.push(new JsonlFileSink({ path: config.auditFile }));
  return sinks;
}

/**
 * The sink a delivery queue delivers to: an exporter-wide sink by name, a tenant sink through the
 * tenant's current snapshot (so a changed URL or rotated secret applies to queued jobs too).
 */
class ExporterSinkResolver implements SinkResolver {
  private readonly byName: Map<string, AuditSink>;

  constructor(
    sinks: readonly AuditSink[],
    private readonly tenantSinks: TenantSinkDirectory | undefined,
  ) {
    this.byName = new Map(sinks.map((sink) => [sink.name, sink]));
  }

  serves(entry: { sink: string; tenantId: string | null }): boolean {
    return entry.tenantId === null ? this.byName.has(entry.sink) : this.tenantSinks !== undefined;
  }

  async resolve(entry: { sink: string; tenantId: string | null }): Promise<AuditSink | null> {
    if (entry.tenantId === null) return this.byName.get(entry.sink) ?? null;
    if (!this.tenantSinks) return null;
    const sink = (await this.tenantSinks.sinksFor(entry.tenantId)).find((s) => s.name === entry.sink);
    if (!sink) throw new SinkGoneError(`${entry.sink}: no longer listed in the snapshot of tenant ${entry.tenantId}`);
    return sink;
  }
}

/**
 * Starts both stages: the fan-out of `audit-export` into per-sink queues and the per-sink delivery
 * workers; resolves once the workers are connected and taking jobs.
 */
export async function startSiemExporter(
  config: SiemExporterConfig,
  logger: Logger = createLogger({ app: 'siem-exporter' }),
): Promise<SiemExporter> {
  const sinks = createSinks(config);
  // The worker listens for this connection's errors and reports them as worker errors.
  const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const names = busNames(config.redisKeyPrefix);
  const tenantSinks = config.tenantSinks
    ? new TenantSinkDirectory({
        redis: connection,
        names,
        verificationKeys: await Promise.all(config.tenantSinks.snapshotPublicKeysPem.map(importVerificationKey)),
        secretKey: config.tenantSinks.secretKey,
        cacheMs: config.tenantSinks.cacheMs,
        timeoutMs: config.tenantSinks.timeoutMs,
        logger,
      })
    : undefined;
  const deliveries = new SinkDeliveryQueues({
    connection,
    names,
    resolver: new ExporterSinkResolver(sinks, tenantSinks),
    concurrency: config.sinkConcurrency,
    maxAttempts: config.attempts,
    backoff: { baseDelayMs: config.backoffMs, maxDelayMs: config.backoffMaxMs },
    lockMs: config.lockMs,
    sweepMs: config.sinkSweepMs,
    idleMs: config.sinkIdleMs,
    logger,
  });
  // One destination in all (one exporter-wide sink, no tenant sinks): nothing for a slow sink to
  // hold up, so batches are delivered by the first stage directly (bench/README.md: the second
  // stage costs a second trip of every event through Redis). Leftover sink queues still drain.
  const isSingleDestination = config.sinkQueues === 'auto' && sinks.length === 1 && !tenantSinks;
  const worker = createAuditExportWorker({
    connection,
    names,
    sinks,
    deliveries: isSingleDestination ? null : deliveries,
    direct: config.sinkQueues === 'auto' ? new DirectDelivery({ deadlineMs: config.directDeadlineMs, spillMs: config.spillMs }, logger) : null,
    ...(tenantSinks ? { tenantSinks } : {}),
    concurrency: config.concurrency,
    maxAttempts: config.attempts,
    backoff: { baseDelayMs: config.backoffMs, maxDelayMs: config.backoffMaxMs },
    lockMs: config.lockMs,
    logger,
  });
  try {
    // Exporter-wide sinks get their queue and worker up front; tenant sinks on first use, or at
    // the first sweep when their queue still holds jobs from before this start.
    if (!isSingleDestination) await Promise.all(sinks.map((sink) => deliveries.ensure(sink.name, null)));
    await deliveries.start();
    await Promise.all([worker.waitUntilReady(), deliveries.waitUntilReady()]);
  } catch (err) {
    await worker.close(true).catch(() => {});
    await deliveries.close().catch(() => {});
    connection.disconnect();
    throw err;
  }
  logger.info('siem-exporter started', {
    sinks: sinks.map((s) => s.name),
    tenantSinks: tenantSinks !== undefined,
    concurrency: config.concurrency,
    sinkConcurrency: config.sinkConcurrency,
    pipeline: isSingleDestination ? 'single destination' : config.sinkQueues === 'auto' ? 'direct first, per-sink queues for slow or failing sinks' : 'per-sink queues',
    attempts: config.attempts,
  });

  let closing: Promise<void> | null = null;
  return {
    close() {
      closing ??= (async () => {
        // Fan-out first, so no delivery job is added to a queue whose worker is closing.
        await worker.close();
        await deliveries.close();
        await Promise.all(sinks.map((sink) => sink.close?.()));
        await tenantSinks?.close();
        await connection.quit();
        logger.info('siem-exporter stopped');
      })();
      return closing;
    },
  };
}
