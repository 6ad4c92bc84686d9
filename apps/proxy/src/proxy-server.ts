import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { AuditQueueWriter, AuditSpool } from '@mcpg/audit';
import { JwksCache, TokenIntrospector } from '@mcpg/auth';
import { busNames, SnapshotSubscriber } from '@mcpg/bus';
import { createLogger, type Logger } from '@mcpg/observability';
import { importVerificationKey } from '@mcpg/policy';
import { TokenBucketMap } from '@mcpg/ratelimit';
import { Redis } from 'ioredis';
import { Agent } from 'undici';
import { AuditRecorder } from './audit-recorder.js';
import type { ProxyConfig } from './config.js';
import { ClientCertificateSource, trustedProxyList } from './client-certificate-source.js';
import { sendHttpError, sendJson } from './http-replies.js';
import { startHeartbeat } from './heartbeat.js';
import { handleMcpRoute } from './mcp-route-handler.js';
import type { ProxyDeps } from './proxy-deps.js';
import { ProxyMetrics } from './proxy-metrics.js';
import { sendProtectedResourceMetadata } from './protected-resource-metadata.js';
import { matchRoute } from './route.js';
import { SnapshotStore } from './snapshot-store.js';
import { TenantRedaction } from './tenant-redaction.js';

export interface RunningProxy {
  readonly url: string;
  readonly store: SnapshotStore;
  /** Waits until audit events recorded so far have been handed to the queue (or, Redis down, the spool). */
  flushAudit(): Promise<void>;
  readonly metrics: ProxyMetrics;
  close(): Promise<void>;
}

export async function startProxy(config: ProxyConfig, log: Logger = createLogger({ app: 'proxy', proxyId: config.proxyId })): Promise<RunningProxy> {
  const names = busNames(config.redisKeyPrefix);
  const publicKeys = await Promise.all(config.snapshotPublicKeysPem.map(importVerificationKey));
  const store = new SnapshotStore(publicKeys, log);
  let auditWriter: AuditQueueWriter | undefined;
  const metrics = new ProxyMetrics(() => store.tenantCount, () => store.rejectedCount, () => auditWriter?.spoolBacklogBytes ?? 0);

  // Commands wait out a Redis outage instead of failing after a fixed number of retries.
  const redisOptions = { maxRetriesPerRequest: null } as const;
  const redis = new Redis(config.redisUrl, redisOptions);
  const subscriberRedis = new Redis(config.redisUrl, redisOptions);
  // Audit adds fail at once while Redis is down (no offline queue, no resend after a reconnect), so
  // batches go to the spool and none lands later out of order.
  const queueRedis = new Redis(config.redisUrl, { maxRetriesPerRequest: 0, enableOfflineQueue: false });
  for (const [name, conn] of [['redis', redis], ['subscriber', subscriberRedis], ['queue', queueRedis]] as const) {
    conn.on('error', (err) => log.warn('redis connection error', { connection: name, err }));
  }
  let recorder: AuditRecorder | undefined;
  auditWriter = new AuditQueueWriter({
    connection: queueRedis,
    names,
    maxBatchSize: config.auditBatchSize,
    flushIntervalMs: config.auditFlushMs,
    logger: log,
    spool: new AuditSpool({ path: config.auditSpoolFile, maxBytes: config.auditSpoolMaxBytes }),
    addTimeoutMs: config.auditAddTimeoutMs,
    replayIntervalMs: config.auditSpoolReplayMs,
    spoolObserver: {
      spooled: (count) => metrics.auditSpooledEvents.inc(count),
      refused: (events) => metrics.auditRefusedEvents.inc(events.length),
      replayed: (batches) => metrics.auditReplayedBatches.inc(batches),
      refusalsEnded: (summary) =>
        recorder?.record({ kind: 'audit.refused', decision: 'error', reason: 'spool_full', details: { ...summary } }),
    },
  });
  recorder = new AuditRecorder(auditWriter, config.region, config.proxyId);
  let listenUrl = '';
  const deps: ProxyDeps = {
    config,
    store,
    buckets: new TokenBucketMap(),
    recorder,
    upstream: new Agent({ connect: { timeout: config.upstreamConnectTimeoutMs }, keepAliveTimeout: 30_000 }),
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
  const subscriber = new SnapshotSubscriber(redis, subscriberRedis, names, store, {
    onError: (err, context) => log.error('snapshot sync failed', { context, err }),
  });

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
        if (subscriber.hasSynced) sendJson(res, 200, { status: 'ready', tenants: store.tenantCount });
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
        void done(handleMcpRoute(deps, route.tenantSlug, route.serverName, req, res));
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

  await subscriber.start();
  const heartbeat = startHeartbeat({
    redis,
    names,
    proxyId: config.proxyId,
    region: config.region,
    intervalMs: config.heartbeatIntervalMs,
    versions: () => store.versions(),
    log,
  });
  // Each applied or removed snapshot is reported at once, so rollout status does not wait a full interval.
  store.onChange = () => heartbeat.beatSoon();
  await heartbeat.beat();
  log.info('proxy ready', { url, tenants: store.tenantCount, region: config.region });

  return {
    url,
    store,
    metrics,
    flushAudit: () => auditWriter.drain(),
    async close() {
      await heartbeat.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await auditWriter.close();
      await (deps.upstream as Agent).close();
      redis.disconnect();
      subscriberRedis.disconnect();
      queueRedis.disconnect();
    },
  };
}

/**
 * Plain HTTP, or TLS (1.2 minimum) when certificate files are configured. With TLS, client
 * certificates are requested but not required, and not checked by the handshake: which CAs are
 * trusted depends on the tenant in the URL, so the request path verifies them per tenant.
 */
async function createListener(config: ProxyConfig, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  // Room for a bearer token just over the 16 KiB auth limit, so an oversized token gets the proxy's
  // own 401 and audit event; headers beyond this get Node's bare 431.
  const maxHeaderSize = 32 * 1024;
  if (!config.tls) return createServer({ maxHeaderSize }, handler);
  const [cert, key] = await Promise.all([readFile(config.tls.certFile), readFile(config.tls.keyFile)]);
  return createTlsServer({ cert, key, minVersion: 'TLSv1.2', requestCert: true, rejectUnauthorized: false, maxHeaderSize }, handler);
}
