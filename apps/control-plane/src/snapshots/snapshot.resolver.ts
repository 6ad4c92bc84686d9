import { Inject } from '@nestjs/common';
import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import { TenantRead, tenantOf } from '../admin-auth/access.decorator.js';
import { SnapshotModel } from './snapshot.model.js';
import { SnapshotService } from './snapshot.service.js';

@Resolver(() => SnapshotModel)
export class SnapshotResolver {
  constructor(@Inject(SnapshotService) private readonly snapshotService: SnapshotService) {}

  @TenantRead(tenantOf.arg('tenantId'))
  @Query(() => [SnapshotModel], { description: "A tenant's published snapshot versions, newest first." })
  snapshots(@Args('tenantId', { type: () => ID }) tenantId: string): Promise<SnapshotModel[]> {
    return this.snapshotService.listForTenant(tenantId);
  }
}
