import { createLogger } from '@mcpg/observability';
import { ControlPlaneConfigError, loadControlPlaneConfig } from './config.js';
import { startControlPlane } from './control-plane.js';

const logger = createLogger({ service: 'control-plane' });

try {
  const controlPlane = await startControlPlane(loadControlPlaneConfig(), { logger });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info('shutting down', { signal });
      controlPlane.close().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error('shutdown failed', { err });
          process.exit(1);
        },
      );
    });
  }
} catch (err) {
  if (err instanceof ControlPlaneConfigError) logger.error('invalid configuration', { problems: err.problems });
  else logger.error('control plane failed to start', { err });
  process.exit(1);
}
