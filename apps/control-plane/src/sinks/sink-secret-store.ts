import { sinkSecretsKey } from '@mcpg/audit';
import type { PrismaClient } from '@mcpg/db';
import type { Logger } from '@mcpg/observability';
import type { RegionBus, RegionBuses } from '../regions/region-buses.js';
import type { SnapshotPublisherService } from '../snapshots/snapshot-publisher.service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Hands the sealed credentials of tenant sinks to the exporters of the tenant's regions through
 * the Redis hash `mcpg:sink-secrets` (field = sink id) on each region's Redis, next to the
 * tenant's snapshot. They stay sealed there; only holders of `MCPG_SINK_SECRET_KEY` open them.
 * PostgreSQL is the source of truth: every change writes through — including a change of the
 * tenant's regions (`placementChanged`) — and `republishAll` (on start) rewrites every sink's
 * entry and removes the entries a region should no longer hold.
 */
export class SinkSecretStore {
  constructor(
    private readonly snapshots: SnapshotPublisherService,
    private readonly buses: RegionBuses,
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

  /**
   * After the tenant's regions changed from `before` to `after` (and its snapshot was withdrawn
   * from the regions it left): every region it runs in gets its sinks' sealed secrets — the new
   * ones did not have them, so their exporters could not deliver — and the regions it left lose
   * them. A region unreachable now is brought in step by `republishAll` on the next start.
   */
  async placementChanged(tenantId: string, before: readonly RegionBus[], after: readonly RegionBus[]): Promise<void> {
    const sinks = await this.prisma.auditSink.findMany({ where: { tenantId }, select: { id: true, sealedSecret: true } });
    if (sinks.length === 0) return;
    const kept = new Set(after.map((bus) => bus.key));
    for (const bus of after) {
      for (const sink of sinks) await this.logged(() => bus.redis.hset(sinkSecretsKey(bus.names), sink.id, sink.sealedSecret), sink.id, bus.regionName);
    }
    for (const bus of before.filter((b) => !kept.has(b.key))) {
      await this.logged(() => bus.redis.hdel(sinkSecretsKey(bus.names), ...sinks.map((s) => s.id)), tenantId, bus.regionName);
    }
  }

  async republishAll(): Promise<void> {
    try {
      const sinks = await this.prisma.auditSink.findMany({ select: { id: true, tenantId: true, sealedSecret: true } });
      const wanted = new Map<string, Set<string>>();
      for (const sink of sinks) {
        for (const bus of await this.snapshots.targetsOf(sink.tenantId)) {
          await this.logged(() => bus.redis.hset(sinkSecretsKey(bus.names), sink.id, sink.sealedSecret), sink.id, bus.regionName);
          (wanted.get(bus.key) ?? wanted.set(bus.key, new Set()).get(bus.key)!).add(sink.id);
        }
      }
      // Entries of deleted sinks, or of tenants moved away while this region's Redis was unreachable.
      const regions = await this.prisma.region.findMany();
      for (const bus of new Map([this.buses.defaultBus, ...regions.map((r) => this.buses.busFor(r))].map((b) => [b.key, b])).values()) {
        await this.logged(
          async () => {
            const unlisted = (await bus.redis.hkeys(sinkSecretsKey(bus.names))).filter((id) => !wanted.get(bus.key)?.has(id));
            const stale = await this.notPlacedOn(bus, unlisted);
            if (stale.length > 0) await bus.redis.hdel(sinkSecretsKey(bus.names), ...stale);
          },
          '*',
          bus.regionName,
        );
      }
    } catch (err) {
      this.logger.error('republishing sink secrets failed', { err });
    }
  }

  /**
   * Of these sink ids, those the bus should not hold, asked again now: a sink created (or a tenant
   * moved here) by another control plane since `republishAll` read the table keeps its entry.
   */
  private async notPlacedOn(bus: RegionBus, sinkIds: readonly string[]): Promise<string[]> {
    if (sinkIds.length === 0) return [];
    const uuids = sinkIds.filter((id) => UUID.test(id));
    const existing = await this.prisma.auditSink.findMany({ where: { id: { in: uuids } }, select: { id: true, tenantId: true } });
    const placed = new Set<string>();
    for (const sink of existing) if ((await this.snapshots.targetsOf(sink.tenantId)).some((b) => b.key === bus.key)) placed.add(sink.id);
    return sinkIds.filter((id) => !placed.has(id));
  }

  private async logged(write: () => Promise<unknown>, sinkId: string, region: string): Promise<void> {
    try {
      await write();
    } catch (err) {
      this.logger.error('sink secret not written to redis; it will be on the next start', { sinkId, region, err });
    }
  }
}
