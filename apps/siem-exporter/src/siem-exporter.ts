import { busNames } from '@mcpg/bus';
import { createLogger, type Logger } from '@mcpg/observability';
import { importVerificationKey } from '@mcpg/policy';
import { Redis } from 'ioredis';
import { createAuditExportWorker } from './audit-export-worker.js';
import type { SiemExporterConfig } from './config.js';
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

/** Starts consuming `audit-export`; resolves once the worker is connected and taking jobs. */
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
  const worker = createAuditExportWorker({
    connection,
    names,
    sinks,
    ...(tenantSinks ? { tenantSinks } : {}),
    concurrency: config.concurrency,
    maxAttempts: config.attempts,
    backoff: { baseDelayMs: config.backoffMs, maxDelayMs: config.backoffMaxMs },
    lockMs: config.lockMs,
    logger,
  });
  try {
    await worker.waitUntilReady();
  } catch (err) {
    await worker.close(true).catch(() => {});
    connection.disconnect();
    throw err;
  }
  logger.info('siem-exporter started', { sinks: sinks.map((s) => s.name), tenantSinks: tenantSinks !== undefined, concurrency: config.concurrency, attempts: config.attempts });

  let closing: Promise<void> | null = null;
  return {
    close() {
      closing ??= (async () => {
        await worker.close();
        await Promise.all(sinks.map((sink) => sink.close?.()));
        await tenantSinks?.close();
        await connection.quit();
        logger.info('siem-exporter stopped');
      })();
      return closing;
    },
  };
}
