import { Inject } from '@nestjs/common';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { SetRedactionSettingsInput } from './redaction.input.js';
import { RedactionSettingsModel } from './redaction.model.js';
import { RedactionService } from './redaction.service.js';

@Resolver(() => RedactionSettingsModel)
export class RedactionResolver {
  constructor(@Inject(RedactionService) private readonly redaction: RedactionService) {}

  @Query(() => RedactionSettingsModel, { description: "The tenant's redaction settings (defaults when never set)." })
  redactionSettings(@Args('tenantId', { type: () => ID }) tenantId: string): Promise<RedactionSettingsModel> {
    return this.redaction.get(tenantId);
  }

  @Mutation(() => RedactionSettingsModel, { description: 'Replaces the tenant\'s redaction settings and publishes a new snapshot.' })
  setRedactionSettings(@Args('input', { type: () => SetRedactionSettingsInput }) input: SetRedactionSettingsInput): Promise<RedactionSettingsModel> {
    return this.redaction.set(input);
  }
}
