import { createLogger } from '@mcpg/observability';
import type { ControlPlaneHarness } from '../../apps/control-plane/src/testing/control-plane-harness.js';
import { loadProxyConfig } from '../../apps/proxy/src/config.js';
import { startProxy, type RunningProxy } from '../../apps/proxy/src/proxy-server.js';
import { loadSiemExporterConfig } from '../../apps/siem-exporter/src/config.js';
import { startSiemExporter, type SiemExporter } from '../../apps/siem-exporter/src/siem-exporter.js';

/**
 * The data-plane apps of an end-to-end test, wired to a ControlPlaneHarness: same Redis and key
 * prefix, its snapshot key, quiet logs. Each test adds only the settings it is about.
 */

/** A proxy serving the control plane's snapshots; `env` adds or overrides settings. */
export function startProxyFor(cp: ControlPlaneHarness, env: Record<string, string> = {}): Promise<RunningProxy> {
  return startProxy(
    loadProxyConfig({
      PROXY_PORT: '0',
      REDIS_URL: cp.config.redisUrl,
      MCPG_REDIS_KEY_PREFIX: cp.config.redisKeyPrefix,
      MCPG_SNAPSHOT_PUBLIC_KEYS: cp.publicKeyPem,
      MCPG_AUDIT_FLUSH_MS: '20',
      ...env,
    }),
    createLogger({ app: 'proxy' }, 'error', () => {}),
  );
}

/**
 * An exporter reading the control plane's audit queue; with `tenantSinks` it also delivers to
 * tenants' own sinks (snapshot key, sink secret key, no sink-list cache). `env` names the sinks.
 */
export function startExporterFor(cp: ControlPlaneHarness, env: Record<string, string>, options: { tenantSinks?: boolean } = {}): Promise<SiemExporter> {
  return startSiemExporter(
    loadSiemExporterConfig({
      REDIS_URL: cp.config.redisUrl,
      MCPG_REDIS_KEY_PREFIX: cp.config.redisKeyPrefix,
      ...(options.tenantSinks
        ? { MCPG_SNAPSHOT_PUBLIC_KEYS: cp.publicKeyPem, MCPG_SINK_SECRET_KEY: cp.config.sinkSecretKey!.toString('hex'), MCPG_TENANT_SINK_CACHE_MS: '0' }
        : {}),
      ...env,
    }),
    createLogger({ app: 'exporter' }, 'error', () => {}),
  );
}
