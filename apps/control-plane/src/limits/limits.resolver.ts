import type { PrismaClient, Tenant } from '@mcpg/db';
import { DEFAULT_RATE_LIMIT } from '@mcpg/policy';
import { Inject } from '@nestjs/common';
import { Args, Mutation, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { TenantPlatformOnly, TenantRead, tenantOf } from '../admin-auth/access.decorator.js';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { CurrentAdmin } from '../admin-auth/current-admin.decorator.js';
import { AdminChangeRecorder } from '../admin-changes/admin-change-recorder.js';
import { PRISMA } from '../control-plane.tokens.js';
import { SnapshotPublisherService } from '../snapshots/snapshot-publisher.service.js';
import { TenantModel } from '../tenants/tenant.model.js';
import { parseInput } from '../validation/parse-input.js';
import { SetTenantLimitsInput, setTenantLimitsSchema } from './limits.input.js';
import { TenantLimitsModel } from './limits.model.js';

export function limitsOf(tenant: Pick<Tenant, 'rateLimitCapacity' | 'rateLimitRefillPerSecond'>): TenantLimitsModel {
  const isDefault = tenant.rateLimitCapacity == null || tenant.rateLimitRefillPerSecond == null;
  return {
    rateLimit: isDefault ? DEFAULT_RATE_LIMIT : { capacity: tenant.rateLimitCapacity!, refillPerSecond: tenant.rateLimitRefillPerSecond! },
    isDefault,
  };
}

/** A tenant's limits: platform admins set them (a tenant raising its own limits would defeat them). */
@Resolver(() => TenantModel)
export class LimitsResolver {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(SnapshotPublisherService) private readonly snapshots: SnapshotPublisherService,
    @Inject(AdminChangeRecorder) private readonly changes: AdminChangeRecorder,
  ) {}

  @TenantPlatformOnly(tenantOf.arg('input.tenantId'))
  @Mutation(() => TenantLimitsModel, { description: "Sets the tenant's per-identity rate limit, published to its proxies." })
  async setTenantLimits(
    @Args('input', { type: () => SetTenantLimitsInput }) input: SetTenantLimitsInput,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<TenantLimitsModel> {
    const { tenantId, rateLimitCapacity, rateLimitRefillPerSecond, expectedVersion } = parseInput(setTenantLimitsSchema, input);
    const before = await this.prisma.tenant.findUniqueOrThrow({ where: { id: tenantId } });
    const after = await this.snapshots.change(
      tenantId,
      (tx) => tx.tenant.update({ where: { id: tenantId }, data: { rateLimitCapacity: rateLimitCapacity ?? null, rateLimitRefillPerSecond: rateLimitRefillPerSecond ?? null } }),
      { expectedVersion },
    );
    this.changes.record(admin, { action: 'setTenantLimits', targetType: 'Tenant', targetId: tenantId, tenantId, before: limitsOf(before), after: limitsOf(after) });
    return limitsOf(after);
  }

  @TenantRead(tenantOf.parent('id'))
  @ResolveField('limits', () => TenantLimitsModel)
  async limitsOfTenant(@Parent() tenant: TenantModel): Promise<TenantLimitsModel> {
    return limitsOf(await this.prisma.tenant.findUniqueOrThrow({ where: { id: tenant.id } }));
  }
}
