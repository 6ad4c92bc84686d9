import type { PrismaClient, Region } from '@mcpg/db';
import { Inject, Injectable } from '@nestjs/common';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { AdminChangeRecorder } from '../admin-changes/admin-change-recorder.js';
import { maskUrlPassword } from '../admin-changes/without-secrets.js';
import { PRISMA, SINK_SECRET_STORE } from '../control-plane.tokens.js';
import { conflict, notFound } from '../errors/admin-error.js';
import type { SinkSecretStore } from '../sinks/sink-secret-store.js';
import { SnapshotPublisherService } from '../snapshots/snapshot-publisher.service.js';
import { SortDirection, type Connection, type PageArgs } from '../pagination/connection.model.js';
import { paginate } from '../pagination/paginate.js';
import { parseId, parseInput } from '../validation/parse-input.js';
import { createRegionSchema, setTenantRegionsSchema } from './region.input.js';

const regionView = (r: Region) => ({ id: r.id, name: r.name, redisUrl: maskUrlPassword(r.redisUrl), redisKeyPrefix: r.redisKeyPrefix });

/** Regions and which regions each tenant runs in (DESIGN.md §2: one Redis per region). */
@Injectable()
export class RegionService {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(SnapshotPublisherService) private readonly snapshots: SnapshotPublisherService,
    @Inject(AdminChangeRecorder) private readonly changes: AdminChangeRecorder,
    @Inject(SINK_SECRET_STORE) private readonly sinkSecrets: SinkSecretStore,
  ) {}

  async create(input: unknown, admin: AdminPrincipal): Promise<Region> {
    const data = parseInput(createRegionSchema, input);
    const region = await this.prisma.region.create({ data });
    this.changes.record(admin, { action: 'createRegion', targetType: 'Region', targetId: region.id, tenantId: null, after: regionView(region) });
    return region;
  }

  /** Only an empty region can go: its tenants would otherwise silently fall back to the default one. */
  async delete(idArg: string, admin: AdminPrincipal): Promise<Region> {
    const id = parseId('id', idArg);
    const region = await this.prisma.region.findUnique({ where: { id }, include: { _count: { select: { tenants: true } } } });
    if (!region) throw notFound('id', 'region');
    if (region._count.tenants > 0) throw conflict('id', `${region._count.tenants} tenant(s) still run in this region; move them first`);
    await this.prisma.region.delete({ where: { id } });
    this.changes.record(admin, { action: 'deleteRegion', targetType: 'Region', targetId: id, tenantId: null, before: regionView(region) });
    return region;
  }

  list(page: PageArgs): Promise<Connection<Region>> {
    return paginate(page, {
      field: 'name',
      direction: SortDirection.ASC,
      findMany: (q) => this.prisma.region.findMany(q),
      count: () => this.prisma.region.count(),
    });
  }

  async listForTenant(tenantId: string): Promise<Region[]> {
    const placements = await this.prisma.tenantRegion.findMany({ where: { tenantId }, include: { region: true } });
    return placements.map((p) => p.region).sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Places the tenant in exactly these regions: its latest snapshot is published to each new
   * region, and a tombstone removes it from each region it left (proxies there drop it). Its
   * sinks' sealed secrets follow: written to its regions, then removed from those it left.
   */
  async setTenantRegions(input: unknown, admin: AdminPrincipal): Promise<Region[]> {
    const { tenantId, regionIds } = parseInput(setTenantRegionsSchema, input);
    const before = await this.snapshots.targetsOf(tenantId);
    const beforeNames = (await this.listForTenant(tenantId)).map((r) => r.name);
    await this.snapshots.locked(tenantId, async (tx) => {
      const found = await tx.region.count({ where: { id: { in: regionIds } } });
      if (found !== regionIds.length) throw notFound('regionIds', 'region');
      await tx.tenantRegion.deleteMany({ where: { tenantId } });
      await tx.tenantRegion.createMany({ data: regionIds.map((regionId) => ({ tenantId, regionId })) });
    });
    const after = await this.snapshots.targetsOf(tenantId);
    await this.snapshots.publishLatest(tenantId);
    const kept = new Set(after.map((bus) => bus.key));
    await this.snapshots.withdraw(tenantId, before.filter((bus) => !kept.has(bus.key)));
    await this.sinkSecrets.placementChanged(tenantId, before, after);
    const regions = await this.listForTenant(tenantId);
    this.changes.record(admin, {
      action: 'setTenantRegions',
      targetType: 'Tenant',
      targetId: tenantId,
      tenantId,
      before: { regions: beforeNames },
      after: { regions: regions.map((r) => r.name) },
    });
    return regions;
  }
}
