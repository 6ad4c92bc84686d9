import { Inject } from '@nestjs/common';
import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { SetToolRuleInput } from './tool-rule.input.js';
import { ToolRuleModel } from './tool-rule.model.js';
import { ToolRuleService } from './tool-rule.service.js';

@Resolver(() => ToolRuleModel)
export class ToolRuleResolver {
  constructor(@Inject(ToolRuleService) private readonly toolRuleService: ToolRuleService) {}

  @Mutation(() => ToolRuleModel, { description: "Replaces the key's allowed tool globs." })
  setToolRule(@Args('input', { type: () => SetToolRuleInput }) input: SetToolRuleInput): Promise<ToolRuleModel> {
    return this.toolRuleService.set(input);
  }
}
