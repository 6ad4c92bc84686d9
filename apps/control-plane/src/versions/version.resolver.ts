import { Inject } from '@nestjs/common';
import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { TenantRead, TenantWrite, tenantOf } from '../admin-auth/access.decorator.js';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { CurrentAdmin } from '../admin-auth/current-admin.decorator.js';
import { SnapshotModel } from '../snapshots/snapshot.model.js';
import { RollbackTenantInput } from './version.input.js';
import { SnapshotDiffModel } from './version.model.js';
import { VersionService } from './version.service.js';

@Resolver(() => SnapshotDiffModel)
export class VersionResolver {
  constructor(@Inject(VersionService) private readonly versionService: VersionService) {}

  @TenantRead(tenantOf.arg('tenantId'))
  @Query(() => SnapshotDiffModel, { description: "What changed in a tenant's policy between two published versions." })
  snapshotDiff(
    @Args('tenantId', { type: () => ID }) tenantId: string,
    @Args('fromVersion', { type: () => Int }) fromVersion: number,
    @Args('toVersion', { type: () => Int }) toVersion: number,
  ): Promise<SnapshotDiffModel> {
    return this.versionService.diff(tenantId, fromVersion, toVersion);
  }

  @TenantWrite(tenantOf.arg('input.tenantId'))
  @Mutation(() => SnapshotModel, { description: "Publishes an earlier version's servers and tool rules as the next version." })
  rollbackTenant(
    @Args('input', { type: () => RollbackTenantInput }) input: RollbackTenantInput,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<SnapshotModel> {
    return this.versionService.rollback(input, admin);
  }
}
