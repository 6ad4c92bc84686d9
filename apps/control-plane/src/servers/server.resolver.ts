import { Inject } from '@nestjs/common';
import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { TenantRead, TenantWrite, tenantOf } from '../admin-auth/access.decorator.js';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { CurrentAdmin } from '../admin-auth/current-admin.decorator.js';
import { AddUpstreamServerInput, SetUpstreamServerCredentialInput } from './server.input.js';
import { PageArgs, type Connection } from '../pagination/connection.model.js';
import { StdioCommandModel, UpstreamServerConnection, UpstreamServerModel } from './server.model.js';
import { ServerService } from './server.service.js';
import { stdioCommandOf } from './stdio-command.js';

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

  @TenantWrite(tenantOf.row('upstreamServer', 'input.serverId'))
  @Mutation(() => UpstreamServerModel, {
    description: 'Sets, replaces or (credential: null) removes what the proxy sends to this upstream on every request. The value is never returned.',
  })
  setUpstreamServerCredential(
    @Args('input', { type: () => SetUpstreamServerCredentialInput }) input: SetUpstreamServerCredentialInput,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<UpstreamServerModel> {
    return this.serverService.setCredential(input, admin);
  }

  @TenantRead(tenantOf.arg('tenantId'))
  @Query(() => UpstreamServerConnection, { description: "A tenant's upstream servers, one page at a time, by name." })
  servers(@Args('tenantId', { type: () => ID }) tenantId: string, @Args() page: PageArgs): Promise<Connection<UpstreamServerModel>> {
    return this.serverService.listForTenant(tenantId, page);
  }

  @TenantRead(tenantOf.parent())
  @ResolveField('hasCredential', () => Boolean, { description: 'Whether the proxy sends a configured credential to this upstream.' })
  hasCredentialOf(@Parent() server: { credentialSealed?: string | null }): boolean {
    return typeof server.credentialSealed === 'string';
  }

  @TenantRead(tenantOf.parent())
  @ResolveField('stdio', () => StdioCommandModel, { nullable: true, description: 'For stdio servers: the command proxies spawn.' })
  stdioOf(@Parent() server: { stdio?: unknown }): StdioCommandModel | null {
    const command = stdioCommandOf(server);
    return command && { command: command.command, args: command.args, envNames: Object.keys(command.env), ...(command.cwd ? { cwd: command.cwd } : {}) };
  }
}
