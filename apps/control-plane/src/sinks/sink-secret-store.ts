import { sinkSecretsKey } from '@mcpg/audit';
import type { BusNames } from '@mcpg/bus';
import type { PrismaClient } from '@mcpg/db';
import type { Logger } from '@mcpg/observability';
import type { Redis } from 'ioredis';

/**
 * Hands the sealed credentials of tenant sinks to the region's exporters through the Redis hash
 * `mcpg:sink-secrets` (field = sink id). They stay sealed there; only holders of
 * `MCPG_SINK_SECRET_KEY` open them. PostgreSQL is the source of truth: every change writes
 * through, and the whole hash is rewritten on start and whenever Redis reconnects (it may have
 * restarted empty), like snapshots.
 */
export class SinkSecretStore {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    names: BusNames,
    private readonly prisma: PrismaClient,
    private readonly logger: Logger,
  ) {
    this.key = sinkSecretsKey(names);
    redis.on('ready', () => void this.republishAll());
  }

  async publish(sinkId: string, sealedSecret: string): Promise<void> {
    await this.logged(() => this.redis.hset(this.key, sinkId, sealedSecret), sinkId);
  }

  async remove(sinkId: string): Promise<void> {
    await this.logged(() => this.redis.hdel(this.key, sinkId), sinkId);
  }

  async republishAll(): Promise<void> {
    try {
      const sinks = await this.prisma.auditSink.findMany({ select: { id: true, sealedSecret: true } });
      if (sinks.length > 0) await this.redis.hset(this.key, Object.fromEntries(sinks.map((s) => [s.id, s.sealedSecret])));
    } catch (err) {
      this.logger.error('republishing sink secrets failed; retried on the next reconnect', { err });
    }
  }

  private async logged(write: () => Promise<unknown>, sinkId: string): Promise<void> {
    try {
      await write();
    } catch (err) {
      this.logger.error('sink secret not written to redis; it will be on the next reconnect or start', { sinkId, err });
    }
  }
}
