import { Inject } from '@nestjs/common';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AddUpstreamServerInput } from './server.input.js';
import { UpstreamServerModel } from './server.model.js';
import { ServerService } from './server.service.js';

@Resolver(() => UpstreamServerModel)
export class ServerResolver {
  constructor(@Inject(ServerService) private readonly serverService: ServerService) {}

  @Mutation(() => UpstreamServerModel)
  addUpstreamServer(
    @Args('input', { type: () => AddUpstreamServerInput }) input: AddUpstreamServerInput,
  ): Promise<UpstreamServerModel> {
    return this.serverService.add(input);
  }

  @Query(() => [UpstreamServerModel])
  servers(@Args('tenantId', { type: () => ID }) tenantId: string): Promise<UpstreamServerModel[]> {
    return this.serverService.listForTenant(tenantId);
  }
}
