import { Inject } from '@nestjs/common';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { TenantRead, TenantWrite, tenantOf } from '../admin-auth/access.decorator.js';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { CurrentAdmin } from '../admin-auth/current-admin.decorator.js';
import { SetRedactionSettingsInput } from './redaction.input.js';
import { RedactionSettingsModel } from './redaction.model.js';
import { RedactionService } from './redaction.service.js';

@Resolver(() => RedactionSettingsModel)
export class RedactionResolver {
  constructor(@Inject(RedactionService) private readonly redaction: RedactionService) {}

  @TenantRead(tenantOf.arg('tenantId'))
  @Query(() => RedactionSettingsModel, { description: "The tenant's redaction settings (defaults when never set)." })
  redactionSettings(@Args('tenantId', { type: () => ID }) tenantId: string): Promise<RedactionSettingsModel> {
    return this.redaction.get(tenantId);
  }

  @TenantWrite(tenantOf.arg('input.tenantId'))
  @Mutation(() => RedactionSettingsModel, { description: 'Replaces the tenant\'s redaction settings and publishes a new snapshot.' })
  setRedactionSettings(
    @Args('input', { type: () => SetRedactionSettingsInput }) input: SetRedactionSettingsInput,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<RedactionSettingsModel> {
    return this.redaction.set(input, admin);
  }
}
