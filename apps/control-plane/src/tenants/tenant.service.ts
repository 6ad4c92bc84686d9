import { randomUUID } from 'node:crypto';
import type { PrismaClient, Tenant } from '@mcpg/db';
import { Inject, Injectable } from '@nestjs/common';
import { PRISMA } from '../control-plane.tokens.js';
import { notFound } from '../errors/admin-error.js';
import { SnapshotPublisherService } from '../snapshots/snapshot-publisher.service.js';
import { parseId, parseInput } from '../validation/parse-input.js';
import { createTenantSchema, setAllowedOriginsSchema, setTenantLimitsSchema } from './tenant.input.js';

@Injectable()
export class TenantService {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(SnapshotPublisherService) private readonly snapshots: SnapshotPublisherService,
  ) {}

  /** Creates the tenant and publishes its first snapshot (version 1). Duplicate slug: CONFLICT. */
  async create(input: unknown): Promise<Tenant> {
    const { slug, name } = parseInput(createTenantSchema, input);
    // The id is chosen here so the per-tenant lock can be taken before the row exists.
    const id = randomUUID();
    return this.snapshots.change(id, (tx) => tx.tenant.create({ data: { id, slug, name } }));
  }

  /** Replaces the tenant's limit overrides and publishes the next snapshot. */
  async setLimits(input: unknown): Promise<Tenant> {
    const { tenantId, limits } = parseInput(setTenantLimitsSchema, input);
    return this.snapshots.change(tenantId, (tx) => tx.tenant.update({ where: { id: tenantId }, data: { limits } }));
  }

  async setAllowedOrigins(input: unknown): Promise<Tenant> {
    const { tenantId, origins } = parseInput(setAllowedOriginsSchema, input);
    return this.snapshots.change(tenantId, (tx) => tx.tenant.update({ where: { id: tenantId }, data: { allowedOrigins: origins } }));
  }

  list(): Promise<Tenant[]> {
    return this.prisma.tenant.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  }

  async get(idArg: string): Promise<Tenant> {
    const id = parseId('id', idArg);
    const tenant = await this.prisma.tenant.findUnique({ where: { id } });
    if (!tenant) throw notFound('id', 'tenant');
    return tenant;
  }
}

