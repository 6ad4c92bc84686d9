import { randomBytes } from 'node:crypto';
import { createLogger, type Logger } from '@mcpg/observability';
import { compileSnapshot, generateSnapshotKeyPair, importSigningKey, sealUpstreamCredential, signSnapshot, upstreamCredentialSchema, type TenantModel } from '@mcpg/policy';
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
  const env = options.env ?? process.env;
  const { privateKeyPem, publicKeyPem } = await generateSnapshotKeyPair();
  // Sealed like the control plane's, under a key made for this run: the snapshot path is the same.
  const credentialsKey = randomBytes(32);
  const model = withUpstreamCredentials(standaloneTenantModel(config), config, env, credentialsKey);
  const jws = await signSnapshot(compileSnapshot(model, 1), await importSigningKey(privateKeyPem));
  const proxyConfig = loadProxyConfig({
    ...env,
    MCPG_UPSTREAM_CREDENTIALS_KEY: credentialsKey.toString('base64'),
    PROXY_HOST: config.listen.host,
    PROXY_PORT: String(config.listen.port),
    MCPG_SNAPSHOT_PUBLIC_KEYS: publicKeyPem,
    // Standalone is the deployment stdio upstreams are meant for: the file's author runs them.
    MCPG_ALLOW_STDIO_UPSTREAMS: 'true',
    MCPG_REGION: env.MCPG_REGION ?? 'standalone',
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

/** Thrown when a server's credential cannot be read from the environment; the message names it. */
export class StandaloneCredentialError extends Error {
  override readonly name = 'StandaloneCredentialError';
}

/** The model with each server's credential read from its environment variable and sealed. */
function withUpstreamCredentials(model: TenantModel, config: StandaloneConfig, env: NodeJS.ProcessEnv, key: Buffer): TenantModel {
  return {
    ...model,
    servers: model.servers.map((server, i) => {
      const wanted = config.servers[i]!.credential;
      if (!wanted) return server;
      const where = `servers.${i}.credential.valueFromEnv`;
      const value = env[wanted.valueFromEnv];
      if (!value) throw new StandaloneCredentialError(`${where}: environment variable ${wanted.valueFromEnv} is not set`);
      const parsed = upstreamCredentialSchema.safeParse({ kind: wanted.kind, headerName: wanted.headerName, value });
      // Never the value in the message: it is a secret.
      if (!parsed.success) throw new StandaloneCredentialError(`${where}: the value of ${wanted.valueFromEnv} ${parsed.error.issues[0]?.message ?? 'is not a valid header value'}`);
      return { ...server, credential: sealUpstreamCredential(key, parsed.data, model.tenant.id, server.id) };
    }),
  };
}
