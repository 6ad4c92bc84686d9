import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, type Logger } from '@mcpg/observability';
import { importVerificationKey } from '@mcpg/policy';
import { TokenBucketMap } from '@mcpg/ratelimit';
import { Agent } from 'undici';
import { AuditRecorder } from './audit-recorder.js';
import type { ProxyConfig } from './config.js';
import { sendHttpError, sendJson } from './http-replies.js';
import { handleMcpRoute } from './mcp-route-handler.js';
import type { ProxyDeps } from './proxy-deps.js';
import { CircuitBreakers } from './circuit-breaker.js';
import { ProxyMetrics } from './proxy-metrics.js';
import { matchRoute } from './route.js';
import { generateSessionKey, parseSessionKeys, SessionSealer } from './session-seal.js';
import { redisSnapshotSource, type SnapshotSource } from './snapshot-source.js';
import { SnapshotStore } from './snapshot-store.js';
import { StdioSessions } from './stdio-route.js';

const MAX_HEADER_BYTES_ANY_TENANT = 64 * 1024;

export interface RunningProxy {
  readonly url: string;
  readonly store: SnapshotStore;
  /** Waits until audit events recorded so far have been handed to the queue. */
  flushAudit(): Promise<void>;
  close(): Promise<void>;
}

export async function startProxy(
  config: ProxyConfig,
  log: Logger = createLogger({ app: 'proxy', proxyId: config.proxyId }),
  source: SnapshotSource = redisSnapshotSource(config, log),
): Promise<RunningProxy> {
  const publicKeys = await Promise.all(config.snapshotPublicKeysPem.map(importVerificationKey));
  const store = new SnapshotStore(publicKeys, log);
  const metrics = new ProxyMetrics(() => store.tenantCount, () => store.rejectedCount);
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
    recorder: new AuditRecorder(source.audit, config.region, config.proxyId),
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
    stdio: new StdioSessions(
      { maxSessionsPerServer: config.stdioMaxSessions, idleTimeoutMs: config.stdioIdleTimeoutMs, maxRestarts: config.stdioMaxRestarts },
      log,
    ),
    circuits: new CircuitBreakers({ failureThreshold: config.circuitFailureThreshold, openMs: config.circuitOpenMs }),
    metrics,
    log,
  };
  // Above every tenant's header limit (checked per tenant in request-guards.ts, which audits it).
  const server: Server = createServer({ maxHeaderSize: MAX_HEADER_BYTES_ANY_TENANT }, (req, res) => {
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
      case 'mcp':
        void done(handleMcpRoute(deps, route.tenantSlug, route.serverName, req, res, route.endpoint));
        return;
      default:
        sendHttpError(res, 404, 'not_found', 'Not found');
    }
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 0; // SSE streams are long-lived; bodies are bounded by size instead.

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${config.host}:${address.port}`;

  await source.start(store);
  log.info('proxy ready', { url, tenants: store.tenantCount, region: config.region });

  return {
    url,
    store,
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
