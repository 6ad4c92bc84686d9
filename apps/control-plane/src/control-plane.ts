import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { createPrismaClient, type PrismaClient } from '@mcpg/db';
import { createLogger, type Logger } from '@mcpg/observability';
import { importSigningKey } from '@mcpg/policy';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AuditQueueWriter } from '@mcpg/audit';
import { busNames } from '@mcpg/bus';
import { Redis } from 'ioredis';
import type { ControlPlaneConfig } from './config.js';
import { ControlPlaneModule } from './control-plane.module.js';
import { registerOidcLogin } from './admin-oidc/oidc-login.js';
import { NestLoggerAdapter } from './nest-logger.js';
import { SnapshotPublisherService } from './snapshots/snapshot-publisher.service.js';
import { resealProviderSecrets } from './identity-providers/stored-provider-secrets.js';
import { resealUpstreamCredentials } from './servers/stored-credential.js';

export interface RunningControlPlane {
  /** The GraphQL endpoint, with the port actually bound (useful with port 0). */
  readonly url: string;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
}

/**
 * Starts the admin API: connects PostgreSQL and Redis, re-publishes every tenant's latest
 * snapshot (so proxies catch up on anything a failed publish left out), then listens.
 */
export async function startControlPlane(config: ControlPlaneConfig, options: StartOptions = {}): Promise<RunningControlPlane> {
  const logger = options.logger ?? createLogger({ service: 'control-plane' });
  const signingKey = await importSigningKey(config.snapshotSigningKeyPem);
  const prisma = createPrismaClient(config.databaseUrl);
  const redis = new Redis(config.redisUrl, {
    connectionName: 'mcpg-control-plane',
    // A mutation waits for Redis at most a few reconnect attempts; the change is committed
    // either way and a failed publish is repaired by the republish below.
    maxRetriesPerRequest: 2,
  });
  // ioredis retries forever and emits an error per attempt; one line per outage is enough.
  let isRedisDown = false;
  redis.on('error', (err) => {
    if (!isRedisDown) logger.warn('redis unavailable; retrying', { err });
    isRedisDown = true;
  });
  redis.on('ready', () => {
    if (isRedisDown) logger.info('redis available again');
    isRedisDown = false;
  });

  // admin.change events share the proxies' audit-export queue; BullMQ wants commands that wait
  // out a reconnect rather than fail, hence a connection of its own.
  const auditRedis = new Redis(config.redisUrl, { connectionName: 'mcpg-control-plane-audit', maxRetriesPerRequest: null });
  auditRedis.on('error', () => undefined); // reported once through `redis` above
  const auditWriter = new AuditQueueWriter({
    connection: auditRedis,
    names: busNames(config.redisKeyPrefix),
    flushIntervalMs: config.auditFlushMs,
    logger,
  });

  let app: NestFastifyApplication | undefined;
  try {
    app = await NestFactory.create<NestFastifyApplication>(
      ControlPlaneModule.forRoot({ config, logger, prisma, redis, signingKey, auditWriter }),
      new FastifyAdapter({ bodyLimit: config.maxBodyBytes }),
      { logger: new NestLoggerAdapter(logger), abortOnError: false },
    );
    if (config.oidc) {
      registerOidcLogin(app.getHttpAdapter().getInstance(), { config: config.oidc, prisma, redis, keyPrefix: config.redisKeyPrefix, logger });
    }
    const publisher = app.get(SnapshotPublisherService);
    await resealUnderCurrentKey(prisma, publisher, config, logger);
    await publisher.republishAll().catch((err: unknown) => logger.error('republishing snapshots failed', { err }));
    // Redis may have restarted empty or missed publishes while we were cut off.
    let isRepublishing = false;
    redis.on('ready', () => {
      if (isRepublishing) return;
      isRepublishing = true;
      void publisher
        .republishAll()
        .catch((err: unknown) => logger.error('republishing snapshots failed', { err }))
        .finally(() => {
          isRepublishing = false;
        });
    });
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await app?.close().catch(() => undefined);
    await closeAuditWriter(auditWriter, auditRedis, logger);
    auditRedis.disconnect();
    redis.disconnect();
    await prisma.$disconnect();
    throw err;
  }

  const { port } = app.getHttpServer().address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}/graphql`;
  logger.info('control plane listening', { url });

  const running = app;
  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= (async () => {
        await running.close();
        await closeAuditWriter(auditWriter, auditRedis, logger);
        auditRedis.disconnect();
        redis.disconnect();
        await prisma.$disconnect();
      })();
      return closing;
    },
  };
}

/** Waits for queued admin.change events, but not forever: with Redis down the queue never drains. */
const AUDIT_CLOSE_TIMEOUT_MS = 5_000;

async function closeAuditWriter(writer: AuditQueueWriter, connection: Redis, logger: Logger): Promise<void> {
  if (connection.status !== 'ready') {
    logger.error('admin.change audit events still queued in memory at shutdown were lost: redis unavailable');
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), AUDIT_CLOSE_TIMEOUT_MS);
  });
  const outcome = await Promise.race([writer.close().then(() => 'closed' as const, () => 'failed' as const), timedOut]);
  clearTimeout(timer);
  if (outcome !== 'closed') logger.error('admin.change audit events still queued in memory at shutdown were lost', { outcome });
}

/**
 * Secrets stored in clear by earlier versions, or sealed under an older key of
 * MCPG_UPSTREAM_CREDENTIALS_KEY (rotation), are sealed again under its first key, at rest and
 * in each affected tenant's snapshot (a new version), before the snapshots are republished.
 */
async function resealUnderCurrentKey(prisma: PrismaClient, publisher: SnapshotPublisherService, config: ControlPlaneConfig, logger: Logger): Promise<void> {
  try {
    const ring = config.upstreamCredentialsKey ?? null;
    await resealProviderSecrets(prisma, ring, logger);
    await resealUpstreamCredentials(prisma, ring, logger);
    await publisher.resealStaleSnapshots();
  } catch (err) {
    logger.error('sealing secrets again under the current key failed; retried on the next start', { err });
  }
}
