import { Inject } from '@nestjs/common';
import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import { TenantRead, tenantOf } from '../admin-auth/access.decorator.js';
import { PageArgs, type Connection } from '../pagination/connection.model.js';
import { SnapshotConnection, SnapshotModel } from './snapshot.model.js';
import { SnapshotService } from './snapshot.service.js';

@Resolver(() => SnapshotModel)
export class SnapshotResolver {
  constructor(@Inject(SnapshotService) private readonly snapshotService: SnapshotService) {}

  @TenantRead(tenantOf.arg('tenantId'))
  @Query(() => SnapshotConnection, { description: "A tenant's published snapshot versions, newest first, one page at a time." })
  snapshots(@Args('tenantId', { type: () => ID }) tenantId: string, @Args() page: PageArgs): Promise<Connection<SnapshotModel>> {
    return this.snapshotService.listForTenant(tenantId, page);
  }
}
