import { Inject } from '@nestjs/common';
import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { TenantWrite, tenantOf } from '../admin-auth/access.decorator.js';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { CurrentAdmin } from '../admin-auth/current-admin.decorator.js';
import { SetToolRuleInput } from './tool-rule.input.js';
import { ToolRuleModel } from './tool-rule.model.js';
import { ToolRuleService } from './tool-rule.service.js';

@Resolver(() => ToolRuleModel)
export class ToolRuleResolver {
  constructor(@Inject(ToolRuleService) private readonly toolRuleService: ToolRuleService) {}

  @TenantWrite(tenantOf.row('apiKey', 'input.apiKeyId'))
  @Mutation(() => ToolRuleModel, { description: "Replaces the key's allowed tool globs." })
  setToolRule(
    @Args('input', { type: () => SetToolRuleInput }) input: SetToolRuleInput,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<ToolRuleModel> {
    return this.toolRuleService.set(input, admin);
  }
}
