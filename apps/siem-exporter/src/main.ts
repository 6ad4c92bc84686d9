import { createLogger } from '@mcpg/observability';
import { loadSiemExporterConfig } from './config.js';
import { startSiemExporter } from './siem-exporter.js';

/** After this long a shutdown gives up waiting for jobs in progress; BullMQ re-queues them as stalled. */
const SHUTDOWN_GRACE_MS = 30_000;

const logger = createLogger({ app: 'siem-exporter' });

try {
  const exporter = await startSiemExporter(loadSiemExporterConfig(process.env), logger);
  const shutdown = (signal: string) => {
    logger.info('shutting down', { signal });
    setTimeout(() => {
      logger.error('shutdown grace period over; exiting with jobs in progress', { graceMs: SHUTDOWN_GRACE_MS });
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    exporter.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('shutdown failed', { err });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
} catch (err) {
  logger.error('siem-exporter failed to start', { err });
  process.exit(1);
}
