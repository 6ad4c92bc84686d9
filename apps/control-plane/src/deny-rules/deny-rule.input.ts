import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { z } from 'zod';
import { nameGlobs, resourceGlobs } from '../tool-rules/tool-rule.input.js';
import { displayNameSchema, EXPECTED_VERSION_DESCRIPTION, expectedVersionSchema, idSchema } from '../validation/field-schemas.js';

@InputType()
export class AddDenyRuleInput {
  @Field(() => ID)
  tenantId: string;

  @Field(() => String)
  name: string;

  @Field(() => ID, { nullable: true, description: 'Only this API key. Selectors combine with AND; none: every principal of the tenant.' })
  apiKeyId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only principals whose token carries this scope.' })
  scope?: string | null;

  @Field(() => String, { nullable: true, description: 'Only this subject (a JWT `sub`, a certificate identity, or `apikey:<key id>`).' })
  subject?: string | null;

  @Field(() => [String], { nullable: true, description: 'Tool-name globs to forbid.' })
  toolGlobs?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Resource URI globs to forbid.' })
  resourceGlobs?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Prompt-name globs to forbid.' })
  promptGlobs?: string[] | null;

  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION_DESCRIPTION })
  expectedVersion?: number | null;
}

const selectorText = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');

export const addDenyRuleSchema = z
  .object({
    tenantId: idSchema,
    name: displayNameSchema,
    apiKeyId: idSchema.nullish(),
    scope: selectorText.nullish(),
    subject: selectorText.nullish(),
    toolGlobs: nameGlobs.nullish().transform((g) => g ?? []),
    resourceGlobs: resourceGlobs.nullish().transform((g) => g ?? []),
    promptGlobs: nameGlobs.nullish().transform((g) => g ?? []),
    expectedVersion: expectedVersionSchema,
  })
  .refine((r) => r.toolGlobs.length + r.resourceGlobs.length + r.promptGlobs.length > 0, {
    path: ['toolGlobs'],
    message: 'a deny rule needs at least one tool, resource or prompt glob',
  });
