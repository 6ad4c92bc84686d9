import { Inject } from '@nestjs/common';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { TenantRead, TenantWrite, tenantOf } from '../admin-auth/access.decorator.js';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { CurrentAdmin } from '../admin-auth/current-admin.decorator.js';
import { CreateIdentityProviderInput, UpdateIdentityProviderInput } from './identity-provider.input.js';
import { PageArgs, type Connection } from '../pagination/connection.model.js';
import { IdentityProviderConnection, IdentityProviderModel } from './identity-provider.model.js';
import { IdentityProviderService } from './identity-provider.service.js';

@Resolver(() => IdentityProviderModel)
export class IdentityProviderResolver {
  constructor(@Inject(IdentityProviderService) private readonly service: IdentityProviderService) {}

  @TenantWrite(tenantOf.arg('input.tenantId'))
  @Mutation(() => IdentityProviderModel, { description: 'Adds a JWT issuer or OAuth 2.1 authorization server to the tenant; proxies apply it with the next snapshot.' })
  createIdentityProvider(
    @Args('input', { type: () => CreateIdentityProviderInput }) input: CreateIdentityProviderInput,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<IdentityProviderModel> {
    return this.service.create(input, admin);
  }

  @TenantWrite(tenantOf.row('identityProvider', 'input.id'))
  @Mutation(() => IdentityProviderModel, { description: 'Changes the given fields; omitted ones (secrets included) are kept.' })
  updateIdentityProvider(
    @Args('input', { type: () => UpdateIdentityProviderInput }) input: UpdateIdentityProviderInput,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<IdentityProviderModel> {
    return this.service.update(input, admin);
  }

  @TenantWrite(tenantOf.row('identityProvider', 'id'))
  @Mutation(() => IdentityProviderModel, { description: 'Tokens of this provider are refused once the new snapshot reaches the proxies.' })
  deleteIdentityProvider(@Args('id', { type: () => ID }) id: string, @CurrentAdmin() admin: AdminPrincipal): Promise<IdentityProviderModel> {
    return this.service.delete(id, admin);
  }

  @TenantRead(tenantOf.arg('tenantId'))
  @Query(() => IdentityProviderConnection, { description: 'In the order the proxy tries them, one page at a time.' })
  identityProviders(@Args('tenantId', { type: () => ID }) tenantId: string, @Args() page: PageArgs): Promise<Connection<IdentityProviderModel>> {
    return this.service.listForTenant(tenantId, page);
  }
}
