import { Inject } from '@nestjs/common';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { TenantRead, TenantWrite, tenantOf } from '../admin-auth/access.decorator.js';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { CurrentAdmin } from '../admin-auth/current-admin.decorator.js';
import { AddUpstreamServerInput } from './server.input.js';
import { UpstreamServerModel } from './server.model.js';
import { ServerService } from './server.service.js';

@Resolver(() => UpstreamServerModel)
export class ServerResolver {
  constructor(@Inject(ServerService) private readonly serverService: ServerService) {}

  @TenantWrite(tenantOf.arg('input.tenantId'))
  @Mutation(() => UpstreamServerModel)
  addUpstreamServer(
    @Args('input', { type: () => AddUpstreamServerInput }) input: AddUpstreamServerInput,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<UpstreamServerModel> {
    return this.serverService.add(input, admin);
  }

  @TenantWrite(tenantOf.row('upstreamServer', 'id'))
  @Mutation(() => UpstreamServerModel, { description: 'Removes the server; its proxy route answers 404 once proxies have the new snapshot.' })
  removeUpstreamServer(@Args('id', { type: () => ID }) id: string, @CurrentAdmin() admin: AdminPrincipal): Promise<UpstreamServerModel> {
    return this.serverService.remove(id, admin);
  }

  @TenantRead(tenantOf.arg('tenantId'))
  @Query(() => [UpstreamServerModel])
  servers(@Args('tenantId', { type: () => ID }) tenantId: string): Promise<UpstreamServerModel[]> {
    return this.serverService.listForTenant(tenantId);
  }
}
