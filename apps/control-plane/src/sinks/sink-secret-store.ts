import { sinkSecretsKey } from '@mcpg/audit';
import type { PrismaClient } from '@mcpg/db';
import type { Logger } from '@mcpg/observability';
import type { SnapshotPublisherService } from '../snapshots/snapshot-publisher.service.js';

/**
 * Hands the sealed credentials of tenant sinks to the exporters of the tenant's regions through
 * the Redis hash `mcpg:sink-secrets` (field = sink id) on each region's Redis, next to the
 * tenant's snapshot. They stay sealed there; only holders of `MCPG_SINK_SECRET_KEY` open them.
 * PostgreSQL is the source of truth: every change writes through, and `republishAll` (on start)
 * rewrites every sink's entry.
 */
export class SinkSecretStore {
  constructor(
    private readonly snapshots: SnapshotPublisherService,
    private readonly prisma: PrismaClient,
    private readonly logger: Logger,
  ) {}

  async publish(tenantId: string, sinkId: string, sealedSecret: string): Promise<void> {
    for (const bus of await this.snapshots.targetsOf(tenantId)) {
      await this.logged(() => bus.redis.hset(sinkSecretsKey(bus.names), sinkId, sealedSecret), sinkId, bus.regionName);
    }
  }

  async remove(tenantId: string, sinkId: string): Promise<void> {
    for (const bus of await this.snapshots.targetsOf(tenantId)) {
      await this.logged(() => bus.redis.hdel(sinkSecretsKey(bus.names), sinkId), sinkId, bus.regionName);
    }
  }

  async republishAll(): Promise<void> {
    try {
      const sinks = await this.prisma.auditSink.findMany({ select: { id: true, tenantId: true, sealedSecret: true } });
      for (const sink of sinks) await this.publish(sink.tenantId, sink.id, sink.sealedSecret);
    } catch (err) {
      this.logger.error('republishing sink secrets failed', { err });
    }
  }

  private async logged(write: () => Promise<unknown>, sinkId: string, region: string): Promise<void> {
    try {
      await write();
    } catch (err) {
      this.logger.error('sink secret not written to redis; it will be on the next start', { sinkId, region, err });
    }
  }
}
