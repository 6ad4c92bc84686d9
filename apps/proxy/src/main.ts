import { createLogger } from '@mcpg/observability';
import { loadProxyConfig } from './config.js';
import { startProxy } from './proxy-server.js';

const config = loadProxyConfig();
const log = createLogger({ app: 'proxy', proxyId: config.proxyId, region: config.region });
const proxy = await startProxy(config, log);
log.info('listening', { url: proxy.url });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log.info('shutting down', { signal });
    void proxy.close().then(() => process.exit(0));
  });
}
