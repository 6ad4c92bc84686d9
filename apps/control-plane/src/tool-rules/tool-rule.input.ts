import { isValidToolGlob } from '@mcpg/policy';
import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { z } from 'zod';
import { EXPECTED_VERSION_DESCRIPTION, expectedVersionSchema, idSchema } from '../validation/field-schemas.js';

export const MAX_TOOL_GLOBS = 100;

@InputType()
export class SetToolRuleInput {
  @Field(() => ID)
  apiKeyId: string;

  @Field(() => [String], {
    description: 'Replaces the key\'s globs. "*" matches any run of characters, "?" one. Empty allows nothing.',
  })
  toolGlobs: string[];

  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION_DESCRIPTION })
  expectedVersion?: number | null;
}

export const setToolRuleSchema = z.object({
  apiKeyId: idSchema,
  toolGlobs: z
    .array(z.string().refine(isValidToolGlob, 'must be 1-200 characters of A-Z a-z 0-9 _ - . : / * ?'))
    .max(MAX_TOOL_GLOBS, `must have at most ${MAX_TOOL_GLOBS} entries`)
    // Order and repeats carry no meaning; the stored rule is the distinct globs in the given order.
    .transform((globs) => [...new Set(globs)]),
  expectedVersion: expectedVersionSchema,
});
