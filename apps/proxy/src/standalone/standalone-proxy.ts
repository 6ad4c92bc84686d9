import { randomBytes } from 'node:crypto';
import { createLogger, type Logger } from '@mcpg/observability';
import { compileSnapshot, generateSnapshotKeyPair, importSigningKey, sealUpstreamCredential, signSnapshot, upstreamCredentialSchema, type TenantModel } from '@mcpg/policy';
import { loadProxyConfig } from '../config.js';
import { startProxy, type RunningProxy } from '../proxy-server.js';
import type { SnapshotSource } from '../snapshot-source.js';
import type { SnapshotStore } from '../snapshot-store.js';
import { JsonlAuditSink } from './jsonl-audit-sink.js';
import { loadStandaloneConfig, standaloneTenantModel, type StandaloneConfig } from './standalone-config.js';

/** What a reload did: the policy version now in force, or why the file was not applied. */
export type ReloadOutcome = { ok: true; version: number } | { ok: false; errors: string[] };

export interface StandaloneProxy extends RunningProxy {
  /**
   * Reads the file again and applies its policy as the next snapshot version: servers, keys,
   * rules, limits, origins and upstream credentials (from the environment) change live, without
   * dropping connections. A file that does not validate is not applied (the running policy stays);
   * `tenant`, `listen` and `audit` need a restart.
   */
  reload(): Promise<ReloadOutcome>;
}

/**
 * Runs the proxy for the one tenant of a standalone config. The same request path as in a
 * region; only the snapshot source differs: the file's policy is compiled and signed with a key
 * made at start (and verified with it like any snapshot), audit goes to stdout / a JSONL file.
 * With `configPath`, `reload` re-reads that file.
 */
export async function startStandaloneProxy(
  config: StandaloneConfig,
  options: { env?: NodeJS.ProcessEnv; log?: Logger; stdout?: NodeJS.WritableStream; configPath?: string } = {},
): Promise<StandaloneProxy> {
  const env = options.env ?? process.env;
  const { privateKeyPem, publicKeyPem } = await generateSnapshotKeyPair();
  const signingKey = await importSigningKey(privateKeyPem);
  // Sealed like the control plane's, under a key made for this run: the snapshot path is the same.
  const credentialsKey = randomBytes(32);
  const compile = async (c: StandaloneConfig, version: number) =>
    signSnapshot(compileSnapshot(withUpstreamCredentials(standaloneTenantModel(c), c, env, credentialsKey), version), signingKey);
  const jws = await compile(config, 1);
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
  let running: SnapshotStore | undefined;
  const source: SnapshotSource = {
    audit: new JsonlAuditSink(config.audit.stdout ? (options.stdout ?? process.stdout) : null, config.audit.file),
    async start(store) {
      running = store;
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
  const proxy = await startProxy(proxyConfig, log, source);
  let version = 1;
  let reloading: Promise<ReloadOutcome> = Promise.resolve({ ok: true, version });
  const reloadOnce = async (): Promise<ReloadOutcome> => {
    if (!options.configPath) return { ok: false, errors: ['started without a config file path'] };
    const loaded = await loadStandaloneConfig(options.configPath);
    if (!loaded.ok) return { ok: false, errors: loaded.errors };
    const next = loaded.config;
    const needsRestart = (['tenant', 'listen', 'audit'] as const).filter((field) => JSON.stringify(next[field]) !== JSON.stringify(config[field]));
    if (needsRestart.length > 0) return { ok: false, errors: needsRestart.map((field) => `${field}: changed; restart to apply it`) };
    let signed: string;
    try {
      signed = await compile(next, version + 1);
    } catch (err) {
      if (err instanceof StandaloneCredentialError) return { ok: false, errors: [err.message] };
      throw err;
    }
    await running!.offer(tenantId, signed);
    if (running!.versionOf(tenantId) !== version + 1) return { ok: false, errors: ['the new policy did not compile; see the log'] };
    version += 1;
    return { ok: true, version };
  };
  return {
    ...proxy,
    // One reload at a time, in the order they were asked for.
    reload() {
      reloading = reloading.then(reloadOnce, reloadOnce);
      return reloading;
    },
  };
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
