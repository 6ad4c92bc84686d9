import { randomUUID } from 'node:crypto';
import type { PrismaClient, Tenant } from '@mcpg/db';
import { Inject, Injectable } from '@nestjs/common';
import { visibleTenantIds, type AdminPrincipal } from '../admin-auth/admin-principal.js';
import { AdminChangeRecorder } from '../admin-changes/admin-change-recorder.js';
import { PRISMA } from '../control-plane.tokens.js';
import { notFound } from '../errors/admin-error.js';
import { SnapshotPublisherService } from '../snapshots/snapshot-publisher.service.js';
import { and, paginate } from '../pagination/paginate.js';
import { SortDirection, type Connection, type PageArgs } from '../pagination/connection.model.js';
import { parseId, parseInput } from '../validation/parse-input.js';
import { createTenantSchema, setAllowedOriginsSchema, setTenantLimitsSchema, tenantFilterSchema, TenantOrderField, type TenantFilter, type TenantOrder } from './tenant.input.js';

const tenantView = (t: Tenant) => ({ id: t.id, slug: t.slug, name: t.name, suspendedAt: t.suspendedAt });

@Injectable()
export class TenantService {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(SnapshotPublisherService) private readonly snapshots: SnapshotPublisherService,
    @Inject(AdminChangeRecorder) private readonly changes: AdminChangeRecorder,
  ) {}

  /** Creates the tenant and publishes its first snapshot (version 1). Duplicate slug: CONFLICT. */
  async create(input: unknown, admin: AdminPrincipal): Promise<Tenant> {
    const { slug, name } = parseInput(createTenantSchema, input);
    // The id is chosen here so the per-tenant lock can be taken before the row exists.
    const id = randomUUID();
    const tenant = await this.snapshots.change(id, (tx) => tx.tenant.create({ data: { id, slug, name } }));
    this.changes.record(admin, { action: 'createTenant', targetType: 'Tenant', targetId: id, tenantId: id, after: tenantView(tenant) });
    return tenant;
  }

  /** Replaces the tenant's limit overrides and publishes the next snapshot. */
  async setLimits(input: unknown, admin: AdminPrincipal): Promise<Tenant> {
    const { tenantId, limits } = parseInput(setTenantLimitsSchema, input);
    const before = await this.get(tenantId);
    const after = await this.snapshots.change(tenantId, (tx) => tx.tenant.update({ where: { id: tenantId }, data: { limits } }));
    this.changes.record(admin, { action: 'setTenantLimits', targetType: 'Tenant', targetId: tenantId, tenantId, before: { limits: before.limits }, after: { limits: after.limits } });
    return after;
  }

  async setAllowedOrigins(input: unknown, admin: AdminPrincipal): Promise<Tenant> {
    const { tenantId, origins } = parseInput(setAllowedOriginsSchema, input);
    const before = await this.get(tenantId);
    const after = await this.snapshots.change(tenantId, (tx) => tx.tenant.update({ where: { id: tenantId }, data: { allowedOrigins: origins } }));
    this.changes.record(admin, {
      action: 'setAllowedOrigins',
      targetType: 'Tenant',
      targetId: tenantId,
      tenantId,
      before: { allowedOrigins: before.allowedOrigins },
      after: { allowedOrigins: after.allowedOrigins },
    });
    return after;
  }

  /** The tenants the admin may see, filtered, one page at a time (creation order by default). */
  list(admin: AdminPrincipal, page: PageArgs, filterArg?: TenantFilter | null, order?: TenantOrder | null): Promise<Connection<Tenant>> {
    const filter = parseInput(tenantFilterSchema, filterArg) ?? {};
    const visible = visibleTenantIds(admin);
    const where = {
      ...(visible === 'all' ? {} : { id: { in: [...visible] } }),
      ...(filter.slugContains ? { slug: { contains: filter.slugContains, mode: 'insensitive' as const } } : {}),
      ...(filter.nameContains ? { name: { contains: filter.nameContains, mode: 'insensitive' as const } } : {}),
      ...(filter.isSuspended == null ? {} : { suspendedAt: filter.isSuspended ? { not: null } : null }),
    };
    return paginate(page, {
      field: order?.field ?? TenantOrderField.CREATED_AT,
      direction: order?.direction ?? SortDirection.ASC,
      findMany: (q) => this.prisma.tenant.findMany({ ...q, where: and(where, q.where) }),
      count: () => this.prisma.tenant.count({ where }),
    });
  }

  async get(idArg: string): Promise<Tenant> {
    const id = parseId('id', idArg);
    const tenant = await this.prisma.tenant.findUnique({ where: { id } });
    if (!tenant) throw notFound('id', 'tenant');
    return tenant;
  }

  async getBySlug(slug: string): Promise<Tenant> {
    const tenant = await this.prisma.tenant.findUnique({ where: { slug } });
    if (!tenant) throw notFound('slug', 'tenant');
    return tenant;
  }

  /**
   * Withdraws the tenant's snapshot from every region it runs in: proxies drop it and answer 404
   * on its routes. Its data, keys and history stay; changes made meanwhile are stored and
   * published on resume. Idempotent.
   */
  async suspend(idArg: string, admin: AdminPrincipal): Promise<Tenant> {
    const id = parseId('id', idArg);
    const { before, after } = await this.snapshots.locked(id, async (tx) => {
      const before = await tx.tenant.findUnique({ where: { id } });
      if (!before) throw notFound('id', 'tenant');
      const after = before.suspendedAt ? before : await tx.tenant.update({ where: { id }, data: { suspendedAt: new Date() } });
      return { before, after };
    });
    await this.snapshots.withdraw(id, await this.snapshots.targetsOf(id));
    if (!before.suspendedAt) this.changes.record(admin, { action: 'suspendTenant', targetType: 'Tenant', targetId: id, tenantId: id, before: tenantView(before), after: tenantView(after) });
    return after;
  }

  /** Publishes the tenant's latest snapshot to its regions again. Idempotent. */
  async resume(idArg: string, admin: AdminPrincipal): Promise<Tenant> {
    const id = parseId('id', idArg);
    const { before, after } = await this.snapshots.locked(id, async (tx) => {
      const before = await tx.tenant.findUnique({ where: { id } });
      if (!before) throw notFound('id', 'tenant');
      const after = before.suspendedAt ? await tx.tenant.update({ where: { id }, data: { suspendedAt: null } }) : before;
      return { before, after };
    });
    await this.snapshots.publishLatest(id);
    if (before.suspendedAt) this.changes.record(admin, { action: 'resumeTenant', targetType: 'Tenant', targetId: id, tenantId: id, before: tenantView(before), after: tenantView(after) });
    return after;
  }

  /**
   * Deletes the tenant with everything it owns (keys, servers, rules, snapshot history, admin
   * tokens scoped to it) and tombstones it in every region: proxies drop it at once. Audit
   * events already exported stay in the SIEM; queued ones are still delivered.
   */
  async delete(idArg: string, admin: AdminPrincipal): Promise<Tenant> {
    const id = parseId('id', idArg);
    const targets = await this.snapshots.targetsOf(id);
    const tenant = await this.snapshots.locked(id, async (tx) => {
      const tenant = await tx.tenant.findUnique({ where: { id } });
      if (!tenant) throw notFound('id', 'tenant');
      await tx.tenant.delete({ where: { id } });
      return tenant;
    });
    await this.snapshots.withdraw(id, targets);
    this.changes.record(admin, { action: 'deleteTenant', targetType: 'Tenant', targetId: id, tenantId: id, before: tenantView(tenant) });
    return tenant;
  }
}

