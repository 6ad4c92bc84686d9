import { Inject } from '@nestjs/common';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { TenantRead, TenantWrite, tenantOf } from '../admin-auth/access.decorator.js';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { CurrentAdmin } from '../admin-auth/current-admin.decorator.js';
import { PageArgs, type Connection } from '../pagination/connection.model.js';
import { AddDenyRuleInput } from './deny-rule.input.js';
import { DenyRuleConnection, DenyRuleModel } from './deny-rule.model.js';
import { DenyRuleService } from './deny-rule.service.js';

@Resolver(() => DenyRuleModel)
export class DenyRuleResolver {
  constructor(@Inject(DenyRuleService) private readonly service: DenyRuleService) {}

  @TenantWrite(tenantOf.arg('input.tenantId'))
  @Mutation(() => DenyRuleModel, { description: 'Forbids tools/resources/prompts to the selected principals, over any allow rule; published at once.' })
  addDenyRule(@Args('input', { type: () => AddDenyRuleInput }) input: AddDenyRuleInput, @CurrentAdmin() admin: AdminPrincipal): Promise<DenyRuleModel> {
    return this.service.add(input, admin);
  }

  @TenantWrite(tenantOf.row('denyRule', 'id'))
  @Mutation(() => DenyRuleModel)
  removeDenyRule(@Args('id', { type: () => ID }) id: string, @CurrentAdmin() admin: AdminPrincipal): Promise<DenyRuleModel> {
    return this.service.remove(id, admin);
  }

  @TenantRead(tenantOf.arg('tenantId'))
  @Query(() => DenyRuleConnection, { description: "A tenant's deny rules, oldest first." })
  denyRules(@Args('tenantId', { type: () => ID }) tenantId: string, @Args() page: PageArgs): Promise<Connection<DenyRuleModel>> {
    return this.service.listForTenant(tenantId, page);
  }
}
