import { Inject } from '@nestjs/common';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CreateIdentityProviderInput, UpdateIdentityProviderInput } from './identity-provider.input.js';
import { IdentityProviderModel } from './identity-provider.model.js';
import { IdentityProviderService } from './identity-provider.service.js';

@Resolver(() => IdentityProviderModel)
export class IdentityProviderResolver {
  constructor(@Inject(IdentityProviderService) private readonly service: IdentityProviderService) {}

  @Mutation(() => IdentityProviderModel, { description: 'Adds a JWT issuer or OAuth 2.1 authorization server to the tenant; proxies apply it with the next snapshot.' })
  createIdentityProvider(@Args('input', { type: () => CreateIdentityProviderInput }) input: CreateIdentityProviderInput): Promise<IdentityProviderModel> {
    return this.service.create(input);
  }

  @Mutation(() => IdentityProviderModel, { description: 'Changes the given fields; omitted ones (secrets included) are kept.' })
  updateIdentityProvider(@Args('input', { type: () => UpdateIdentityProviderInput }) input: UpdateIdentityProviderInput): Promise<IdentityProviderModel> {
    return this.service.update(input);
  }

  @Mutation(() => IdentityProviderModel, { description: 'Tokens of this provider are refused once the new snapshot reaches the proxies.' })
  deleteIdentityProvider(@Args('id', { type: () => ID }) id: string): Promise<IdentityProviderModel> {
    return this.service.delete(id);
  }

  @Query(() => [IdentityProviderModel], { description: 'In the order the proxy tries them.' })
  identityProviders(@Args('tenantId', { type: () => ID }) tenantId: string): Promise<IdentityProviderModel[]> {
    return this.service.listForTenant(tenantId);
  }
}
