import { Inject } from '@nestjs/common';
import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { AddUpstreamServerInput } from './server.input.js';
import { StdioCommandModel, UpstreamServerModel } from './server.model.js';
import { ServerService } from './server.service.js';
import { stdioCommandOf } from './stdio-command.js';

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

  @ResolveField('stdio', () => StdioCommandModel, { nullable: true, description: 'For stdio servers: the command proxies spawn.' })
  stdioOf(@Parent() server: { stdio?: unknown }): StdioCommandModel | null {
    const command = stdioCommandOf(server);
    return command && { command: command.command, args: command.args, envNames: Object.keys(command.env), ...(command.cwd ? { cwd: command.cwd } : {}) };
  }
}
