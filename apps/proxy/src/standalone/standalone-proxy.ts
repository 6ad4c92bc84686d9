import { createLogger, type Logger } from '@mcpg/observability';
import { compileSnapshot, generateSnapshotKeyPair, importSigningKey, signSnapshot } from '@mcpg/policy';
import { loadProxyConfig } from '../config.js';
import { startProxy, type RunningProxy } from '../proxy-server.js';
import type { SnapshotSource } from '../snapshot-source.js';
import { JsonlAuditSink } from './jsonl-audit-sink.js';
import { standaloneTenantModel, type StandaloneConfig } from './standalone-config.js';

/**
 * Runs the proxy for the one tenant of a standalone config. The same request path as in a
 * region; only the snapshot source differs: the file's policy is compiled and signed with a key
 * made at start (and verified with it like any snapshot), audit goes to stdout / a JSONL file.
 * The file is read once: restart to apply changes.
 */
export async function startStandaloneProxy(
  config: StandaloneConfig,
  options: { env?: NodeJS.ProcessEnv; log?: Logger; stdout?: NodeJS.WritableStream } = {},
): Promise<RunningProxy> {
  const { privateKeyPem, publicKeyPem } = await generateSnapshotKeyPair();
  const jws = await signSnapshot(compileSnapshot(standaloneTenantModel(config), 1), await importSigningKey(privateKeyPem));
  const proxyConfig = loadProxyConfig({
    ...(options.env ?? process.env),
    PROXY_HOST: config.listen.host,
    PROXY_PORT: String(config.listen.port),
    MCPG_SNAPSHOT_PUBLIC_KEYS: publicKeyPem,
    // Standalone is the deployment stdio upstreams are meant for: the file's author runs them.
    MCPG_ALLOW_STDIO_UPSTREAMS: 'true',
    MCPG_REGION: (options.env ?? process.env).MCPG_REGION ?? 'standalone',
  });
  const log = options.log ?? createLogger({ app: 'mcp-guard', proxyId: proxyConfig.proxyId });
  const tenantId = `standalone:${config.tenant}`;
  let isReady = false;
  const source: SnapshotSource = {
    audit: new JsonlAuditSink(config.audit.stdout ? (options.stdout ?? process.stdout) : null, config.audit.file),
    async start(store) {
      await store.offer(tenantId, jws);
      if (store.versionOf(tenantId) !== 1) throw new Error('the standalone policy did not compile');
      isReady = true;
    },
    get isReady() {
      return isReady;
    },
    close() {
      return this.audit.close();
    },
  };
  return startProxy(proxyConfig, log, source);
}
