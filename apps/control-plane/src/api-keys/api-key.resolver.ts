import { Inject } from '@nestjs/common';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { TenantRead, TenantWrite, tenantOf } from '../admin-auth/access.decorator.js';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { CurrentAdmin } from '../admin-auth/current-admin.decorator.js';
import { PageArgs, type Connection } from '../pagination/connection.model.js';
import { ApiKeyFilter, CreateApiKeyInput, RotateApiKeyInput } from './api-key.input.js';
import { ApiKeyConnection, ApiKeyModel, CreatedApiKeyModel, RotatedApiKeyModel } from './api-key.model.js';
import { ApiKeyService } from './api-key.service.js';

@Resolver(() => ApiKeyModel)
export class ApiKeyResolver {
  constructor(@Inject(ApiKeyService) private readonly apiKeyService: ApiKeyService) {}

  @TenantWrite(tenantOf.arg('input.tenantId'))
  @Mutation(() => CreatedApiKeyModel, { description: 'The secret is in this response only; it cannot be shown again.' })
  createApiKey(
    @Args('input', { type: () => CreateApiKeyInput }) input: CreateApiKeyInput,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<CreatedApiKeyModel> {
    return this.apiKeyService.create(input, admin);
  }

  @TenantWrite(tenantOf.row('apiKey', 'input.id'))
  @Mutation(() => RotatedApiKeyModel, { description: 'Issues a new key with the same tool globs; the old one keeps working until oldKeyExpiresAt.' })
  rotateApiKey(
    @Args('input', { type: () => RotateApiKeyInput }) input: RotateApiKeyInput,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<RotatedApiKeyModel> {
    return this.apiKeyService.rotate(input, admin);
  }

  @TenantWrite(tenantOf.row('apiKey', 'id'))
  @Mutation(() => ApiKeyModel, { description: 'Proxies refuse the key once the new snapshot reaches them. Idempotent.' })
  revokeApiKey(@Args('id', { type: () => ID }) id: string, @CurrentAdmin() admin: AdminPrincipal): Promise<ApiKeyModel> {
    return this.apiKeyService.revoke(id, admin);
  }

  @TenantRead(tenantOf.arg('tenantId'))
  @Query(() => ApiKeyConnection, { description: "A tenant's keys, one page at a time, in creation order." })
  apiKeys(
    @Args('tenantId', { type: () => ID }) tenantId: string,
    @Args() page: PageArgs,
    @Args('filter', { type: () => ApiKeyFilter, nullable: true }) filter?: ApiKeyFilter | null,
  ): Promise<Connection<ApiKeyModel>> {
    return this.apiKeyService.listForTenant(tenantId, page, filter);
  }
}
