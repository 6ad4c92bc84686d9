import { Inject } from '@nestjs/common';
import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { SetScopeToolRuleInput, SetToolRuleInput } from './tool-rule.input.js';
import { ToolRuleModel } from './tool-rule.model.js';
import { ToolRuleService } from './tool-rule.service.js';

@Resolver(() => ToolRuleModel)
export class ToolRuleResolver {
  constructor(@Inject(ToolRuleService) private readonly toolRuleService: ToolRuleService) {}

  @Mutation(() => ToolRuleModel, { description: "Replaces the key's allowed tool globs." })
  setToolRule(@Args('input', { type: () => SetToolRuleInput }) input: SetToolRuleInput): Promise<ToolRuleModel> {
    return this.toolRuleService.set(input);
  }

  @Mutation(() => ToolRuleModel, { description: 'Replaces the tool globs granted to every JWT / OAuth token holding the scope.' })
  setScopeToolRule(@Args('input', { type: () => SetScopeToolRuleInput }) input: SetScopeToolRuleInput): Promise<ToolRuleModel> {
    return this.toolRuleService.setForScope(input);
  }
}
