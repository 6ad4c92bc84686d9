import { Inject } from '@nestjs/common';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CreateApiKeyInput, RotateApiKeyInput } from './api-key.input.js';
import { ApiKeyModel, CreatedApiKeyModel, RotatedApiKeyModel } from './api-key.model.js';
import { ApiKeyService } from './api-key.service.js';

@Resolver(() => ApiKeyModel)
export class ApiKeyResolver {
  constructor(@Inject(ApiKeyService) private readonly apiKeyService: ApiKeyService) {}

  @Mutation(() => CreatedApiKeyModel, { description: 'The secret is in this response only; it cannot be shown again.' })
  createApiKey(@Args('input', { type: () => CreateApiKeyInput }) input: CreateApiKeyInput): Promise<CreatedApiKeyModel> {
    return this.apiKeyService.create(input);
  }

  @Mutation(() => RotatedApiKeyModel, { description: 'Issues a new key with the same tool globs; the old one keeps working until oldKeyExpiresAt.' })
  rotateApiKey(@Args('input', { type: () => RotateApiKeyInput }) input: RotateApiKeyInput): Promise<RotatedApiKeyModel> {
    return this.apiKeyService.rotate(input);
  }

  @Mutation(() => ApiKeyModel, { description: 'Proxies refuse the key once the new snapshot reaches them. Idempotent.' })
  revokeApiKey(@Args('id', { type: () => ID }) id: string): Promise<ApiKeyModel> {
    return this.apiKeyService.revoke(id);
  }

  @Query(() => [ApiKeyModel])
  apiKeys(@Args('tenantId', { type: () => ID }) tenantId: string): Promise<ApiKeyModel[]> {
    return this.apiKeyService.listForTenant(tenantId);
  }
}
