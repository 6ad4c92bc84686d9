import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { JwksCache, TokenIntrospector } from '@mcpg/auth';
import { isResponse, validateMessage } from '@mcpg/mcp';
import { createLogger, type Logger } from '@mcpg/observability';
import { importVerificationKey } from '@mcpg/policy';
import { TokenBucketMap } from '@mcpg/ratelimit';
import { Agent } from 'undici';
import { AuditRecorder } from './audit-recorder.js';
import type { ProxyConfig } from './config.js';
import { ClientCertificateSource, trustedProxyList } from './client-certificate-source.js';
import { sendHttpError, sendJson } from './http-replies.js';
import { handleMcpRoute } from './mcp-route-handler.js';
import type { ProxyDeps } from './proxy-deps.js';
import { CircuitBreakers } from './circuit-breaker.js';
import { ProxyMetrics } from './proxy-metrics.js';
import { sendProtectedResourceMetadata } from './protected-resource-metadata.js';
import { matchRoute } from './route.js';
import { generateSessionKey, parseSessionKeys, SessionSealer } from './session-seal.js';
import { redisSnapshotSource, type SnapshotSource } from './snapshot-source.js';
import { SnapshotStore } from './snapshot-store.js';
import { StdioSessions } from './stdio-route.js';
import { TenantRedaction } from './tenant-redaction.js';

const MAX_HEADER_BYTES_ANY_TENANT = 64 * 1024;

export interface RunningProxy {
  readonly url: string;
  readonly store: SnapshotStore;
  /** Waits until audit events recorded so far have been handed to the queue (or, Redis down, the spool). */
  flushAudit(): Promise<void>;
  readonly metrics: ProxyMetrics;
  close(): Promise<void>;
}

export async function startProxy(
  config: ProxyConfig,
  log: Logger = createLogger({ app: 'proxy', proxyId: config.proxyId }),
  /** Default: the region's Redis (redisSnapshotSource); standalone mode passes a policy file. */
  sourceOverride?: SnapshotSource,
): Promise<RunningProxy> {
  const publicKeys = await Promise.all(config.snapshotPublicKeysPem.map(importVerificationKey));
  const store = new SnapshotStore(publicKeys, log, config.upstreamCredentialsKey);
  let recorder: AuditRecorder | undefined;
  const metrics: ProxyMetrics = new ProxyMetrics(() => store.tenantCount, () => store.rejectedCount, () => source.audit.spoolBacklogBytes ?? 0);
  const source =
    sourceOverride ??
    redisSnapshotSource(config, log, {
      metrics,
      spoolRefusalsEnded: (summary) => recorder?.record({ kind: 'audit.refused', decision: 'error', reason: 'spool_full', details: summary }),
    });
  recorder = new AuditRecorder(source.audit, config.region, config.proxyId);
  let listenUrl = '';
  let sessionKeys = config.sessionKeys;
  if (!sessionKeys) {
    log.warn('MCPG_SESSION_KEYS is not set: using a random session key; sessions will not survive a restart or move between replicas');
    sessionKeys = parseSessionKeys(generateSessionKey('ephemeral'));
  }
  const upstream = new Agent({ connect: { timeout: config.upstreamConnectTimeoutMs }, keepAliveTimeout: 30_000 });
  const dispatchers = new Map<number, Agent>([[config.upstreamConnectTimeoutMs, upstream]]);
  const deps: ProxyDeps = {
    config,
    store,
    buckets: new TokenBucketMap(),
    recorder,
    upstream,
    dispatcherFor(connectTimeoutMs) {
      let agent = dispatchers.get(connectTimeoutMs);
      if (!agent) {
        agent = new Agent({ connect: { timeout: connectTimeoutMs }, keepAliveTimeout: 30_000 });
        dispatchers.set(connectTimeoutMs, agent);
      }
      return agent;
    },
    sessions: new SessionSealer(sessionKeys),
    legacyStreams: new Map(),
    legacyRelay: source.legacyRelay ?? null,
    stdio: new StdioSessions(
      { maxSessionsPerServer: config.stdioMaxSessions, idleTimeoutMs: config.stdioIdleTimeoutMs, maxRestarts: config.stdioMaxRestarts },
      log,
    ),
    circuits: new CircuitBreakers({ failureThreshold: config.circuitFailureThreshold, openMs: config.circuitOpenMs }),
    metrics,
    log,
    identity: {
      jwks: new JwksCache({
        fetchTimeoutMs: config.jwksTimeoutMs,
        cooldownMs: config.jwksCooldownMs,
        maxAgeMs: config.jwksMaxAgeMs,
        onFetchError: (uri, err) => log.warn('JWKS fetch failed; serving the cached key set if any', { uri, err }),
      }),
      introspector: new TokenIntrospector({
        timeoutMs: config.introspectionTimeoutMs,
        maxCacheTtlMs: config.introspectionCacheMaxMs,
        inactiveCacheTtlMs: Math.min(10_000, config.introspectionCacheMaxMs),
      }),
      publicBaseUrl: () => config.publicUrl ?? listenUrl,
      clientCertificates: new ClientCertificateSource(trustedProxyList(config.trustedProxyCidrs), config.clientCertHeader),
    },
    redaction: new TenantRedaction(config.redactionHashKey, log),
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const route = matchRoute(req.url ?? '/');
    const done = (p: Promise<void>) =>
      p.catch((err) => {
        log.error('request failed', { err, route: route.kind });
        if (!res.headersSent) sendHttpError(res, 500, 'internal_error', 'Internal error');
        else res.destroy();
      });
    switch (route.kind) {
      case 'healthz':
        sendJson(res, 200, { status: 'ok' });
        return;
      case 'readyz':
        if (source.isReady) sendJson(res, 200, { status: 'ready', tenants: store.tenantCount });
        else sendJson(res, 503, { status: 'starting' });
        return;
      case 'metrics':
        void done(
          metrics.registry.metrics().then((text) => {
            res.writeHead(200, { 'content-type': metrics.registry.contentType });
            res.end(text);
          }),
        );
        return;
      case 'resource_metadata':
        sendProtectedResourceMetadata(deps, route.tenantSlug, route.serverName, res);
        return;
      case 'mcp':
        void done(handleMcpRoute(deps, route.tenantSlug, route.serverName, req, res, route.endpoint));
        return;
      default:
        sendHttpError(res, 404, 'not_found', 'Not found');
    }
  };
  const server = await createListener(config, handler);
  server.headersTimeout = 30_000;
  server.requestTimeout = 0; // SSE streams are long-lived; bodies are bounded by size instead.

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `${config.tls ? 'https' : 'http'}://${config.host}:${address.port}`;
  listenUrl = url;

  source.legacyRelay?.onMessage((sessionId, message) => {
    // Only the proxy's own refusals travel this way. Anything else on the channel came from
    // someone with write access to Redis, which must not be enough to put results in a stream.
    const valid = validateMessage(message);
    if (typeof valid === 'string' || !isResponse(valid) || valid.error === undefined || 'result' in valid) return;
    deps.legacyStreams.get(sessionId)?.send(valid);
  });
  await source.start(store);
  log.info('proxy ready', { url, tenants: store.tenantCount, region: config.region });

  return {
    url,
    store,
    metrics,
    flushAudit: () => source.audit.drain(),
    async close() {
      deps.stdio.closeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await source.close();
      await Promise.all([...dispatchers.values()].map((agent) => agent.close()));
    },
  };
}

/**
 * Plain HTTP, or TLS (1.2 minimum) when certificate files are configured. With TLS, client
 * certificates are requested but not required, and not checked by the handshake: which CAs are
 * trusted depends on the tenant in the URL, so the request path verifies them per tenant.
 */
async function createListener(config: ProxyConfig, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  // Above every tenant's header limit (checked per tenant in request-guards.ts, which audits it);
  // headers beyond this get Node's bare 431.
  const maxHeaderSize = MAX_HEADER_BYTES_ANY_TENANT;
  if (!config.tls) return createServer({ maxHeaderSize }, handler);
  const [cert, key] = await Promise.all([readFile(config.tls.certFile), readFile(config.tls.keyFile)]);
  return createTlsServer({ cert, key, minVersion: 'TLSv1.2', requestCert: true, rejectUnauthorized: false, maxHeaderSize }, handler);
}
