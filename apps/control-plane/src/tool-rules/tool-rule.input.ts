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

const toolGlobsSchema = z
    .array(z.string().refine(isValidToolGlob, 'must be 1-200 characters of A-Z a-z 0-9 _ - . : / * ?'))
    .max(MAX_TOOL_GLOBS, `must have at most ${MAX_TOOL_GLOBS} entries`)
    // Order and repeats carry no meaning; the stored rule is the distinct globs in the given order.
    .transform((globs) => [...new Set(globs)]);

export const setToolRuleSchema = z.object({ apiKeyId: idSchema, toolGlobs: toolGlobsSchema, expectedVersion: expectedVersionSchema });

@InputType()
export class SetScopeToolRuleInput {
  @Field(() => ID)
  tenantId: string;

  @Field(() => String, { description: 'A scope as tokens carry it in their scope claim, e.g. "tools:read".' })
  scope: string;

  @Field(() => [String], { description: 'Replaces the globs granted to the scope. Empty allows nothing.' })
  toolGlobs: string[];
}

/** RFC 6749 §3.3 scope-token characters: printable ASCII except space, `"` and `\`. */
export const scopeSchema = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,200}$/, 'must be 1-200 printable characters without spaces, quotes or backslashes');

export const setScopeToolRuleSchema = z.object({ tenantId: idSchema, scope: scopeSchema, toolGlobs: toolGlobsSchema });
