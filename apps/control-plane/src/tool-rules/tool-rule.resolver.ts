import { Inject } from '@nestjs/common';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { TenantRead, TenantWrite, tenantOf } from '../admin-auth/access.decorator.js';
import { PolicyDryRunModel } from '../versions/version.model.js';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { CurrentAdmin } from '../admin-auth/current-admin.decorator.js';
import { SetScopeToolRuleInput, SetSubjectToolRuleInput, SetToolRuleInput } from './tool-rule.input.js';
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

  @TenantRead(tenantOf.row('apiKey', 'input.apiKeyId'))
  @Query(() => PolicyDryRunModel, { description: 'Validates and compiles a setToolRule change without storing or publishing it.' })
  dryRunToolRule(@Args('input', { type: () => SetToolRuleInput }) input: SetToolRuleInput): Promise<PolicyDryRunModel> {
    return this.toolRuleService.dryRun(input);
  }

  @TenantWrite(tenantOf.arg('input.tenantId'))
  @Mutation(() => ToolRuleModel, { description: 'Replaces the tool globs granted to every JWT / OAuth token holding the scope.' })
  setScopeToolRule(
    @Args('input', { type: () => SetScopeToolRuleInput }) input: SetScopeToolRuleInput,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<ToolRuleModel> {
    return this.toolRuleService.setForScope(input, admin);
  }

  @TenantWrite(tenantOf.arg('input.tenantId'))
  @Mutation(() => ToolRuleModel, { description: 'Replaces the tool globs granted to the JWT / OAuth / mTLS principal with this subject, on top of its scopes\' rules.' })
  setSubjectToolRule(
    @Args('input', { type: () => SetSubjectToolRuleInput }) input: SetSubjectToolRuleInput,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<ToolRuleModel> {
    return this.toolRuleService.setForSubject(input, admin);
  }
}
