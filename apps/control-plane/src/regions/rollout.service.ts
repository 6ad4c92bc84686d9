import { readHeartbeats, type ProxyHeartbeat } from '@mcpg/bus';
import type { PrismaClient } from '@mcpg/db';
import { Inject, Injectable } from '@nestjs/common';
import { PRISMA } from '../control-plane.tokens.js';
import { notFound } from '../errors/admin-error.js';
import { SnapshotPublisherService } from '../snapshots/snapshot-publisher.service.js';
import { parseId } from '../validation/parse-input.js';
import { RegionBuses, type RegionBus } from './region-buses.js';
import type { Connection, PageArgs } from '../pagination/connection.model.js';
import { paginateList } from '../pagination/paginate.js';
import type { ProxyStatusModel, RolloutModel } from './region.model.js';

/** Rollout status from the proxies' heartbeats in each region's Redis. */
@Injectable()
export class RolloutService {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(SnapshotPublisherService) private readonly snapshots: SnapshotPublisherService,
    @Inject(RegionBuses) private readonly buses: RegionBuses,
  ) {}

  async rollout(tenantIdArg: string): Promise<RolloutModel> {
    const tenantId = parseId('tenantId', tenantIdArg);
    const tenant = await this.prisma.tenant.findUnique({ where: { id: tenantId }, select: { suspendedAt: true } });
    if (!tenant) throw notFound('tenantId', 'tenant');
    const latest = await this.prisma.snapshot.aggregate({ where: { tenantId }, _max: { version: true } });
    const latestVersion = latest._max.version ?? 0;
    const expectedVersion = tenant.suspendedAt ? 0 : latestVersion;
    const regions = await Promise.all(
      (await this.snapshots.targetsOf(tenantId)).map(async (bus) => ({
        region: bus.regionName,
        proxies: (await heartbeatsOf(bus)).map((beat) => {
          const version = beat.versions[tenantId] ?? 0;
          return { proxyId: beat.proxyId, region: beat.region, version, reportedAt: new Date(beat.reportedAt), isLagging: version !== expectedVersion };
        }),
      })),
    );
    const laggingProxies = regions.reduce((n, r) => n + r.proxies.filter((p) => p.isLagging).length, 0);
    return { tenantId, latestVersion, expectedVersion, regions, laggingProxies };
  }

  /** Every live proxy of every known region, by the region it reported through, then proxy id. */
  async proxies(page: PageArgs): Promise<Connection<ProxyStatusModel>> {
    const regions = await this.prisma.region.findMany();
    const buses = new Map([this.buses.defaultBus, ...regions.map((r) => this.buses.busFor(r))].map((bus) => [bus.key, bus]));
    const statuses = await Promise.all(
      [...buses.values()].map(async (bus) =>
        (await heartbeatsOf(bus)).map((beat) => ({
          proxyId: beat.proxyId,
          region: beat.region,
          reportedVia: bus.regionName,
          reportedAt: new Date(beat.reportedAt),
          tenants: Object.keys(beat.versions).length,
        })),
      ),
    );
    return paginateList(page, statuses.flat(), (status) => `${status.reportedVia}\u0000${status.proxyId}`);
  }
}

/** An unreachable region shows no proxies rather than failing the whole status. */
function heartbeatsOf(bus: RegionBus): Promise<ProxyHeartbeat[]> {
  return readHeartbeats(bus.redis, bus.names).catch(() => []);
}
