import { isValidResourceGlob, isValidToolGlob } from '@mcpg/policy';
import { Field, ID, InputType } from '@nestjs/graphql';
import { z } from 'zod';
import { idSchema } from '../validation/field-schemas.js';

export const MAX_TOOL_GLOBS = 100;

@InputType()
export class SetToolRuleInput {
  @Field(() => ID)
  apiKeyId: string;

  @Field(() => [String], {
    description: 'Replaces the key\'s globs. "*" matches any run of characters, "?" one. Empty allows nothing.',
  })
  toolGlobs: string[];

  @Field(() => [String], {
    nullable: true,
    description: 'Resource URI globs (resources/read, resources/subscribe, resource lists). Omitted: unchanged. Empty allows nothing.',
  })
  resourceGlobs?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Prompt-name globs (prompts/get, prompts/list). Omitted: unchanged. Empty allows nothing.' })
  promptGlobs?: string[] | null;
}

// Order and repeats carry no meaning; a stored list is the distinct globs in the given order.
const globList = (isValid: (glob: string) => boolean, message: string) =>
  z
    .array(z.string().refine(isValid, message))
    .max(MAX_TOOL_GLOBS, `must have at most ${MAX_TOOL_GLOBS} entries`)
    .transform((globs) => [...new Set(globs)]);
const nameGlobs = globList(isValidToolGlob, 'must be 1-200 characters of A-Z a-z 0-9 _ - . : / * ?');

export const setToolRuleSchema = z.object({
  apiKeyId: idSchema,
  toolGlobs: nameGlobs,
  resourceGlobs: globList(isValidResourceGlob, 'must be 1-500 printable ASCII characters without spaces').nullish(),
  promptGlobs: nameGlobs.nullish(),
});
