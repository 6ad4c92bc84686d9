import { isValidResourceGlob, isValidToolGlob } from '@mcpg/policy';
import { Field, Float, ID, InputType, Int } from '@nestjs/graphql';
import { z } from 'zod';
import { EXPECTED_VERSION_DESCRIPTION, expectedVersionSchema, idSchema } from '../validation/field-schemas.js';

export const MAX_TOOL_GLOBS = 100;

@InputType({ description: 'A token bucket per principal for the calls one rule allows.' })
export class RuleRateLimitInput {
  @Field(() => Int, { description: 'Burst size, 1-1,000,000.' })
  capacity: number;

  @Field(() => Float, { description: 'Sustained calls per second, 0.001-100,000.' })
  refillPerSecond: number;
}

const RATE_LIMIT_DESCRIPTION = 'Limits the calls this rule allows, per principal, on top of the tenant limit (−32002 when exceeded). Omitted: unchanged; null: none.';

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

  @Field(() => RuleRateLimitInput, { nullable: true, description: RATE_LIMIT_DESCRIPTION })
  rateLimit?: RuleRateLimitInput | null;

  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION_DESCRIPTION })
  expectedVersion?: number | null;
}

// Order and repeats carry no meaning; a stored list is the distinct globs in the given order.
const globList = (isValid: (glob: string) => boolean, message: string) =>
  z
    .array(z.string().refine(isValid, message))
    .max(MAX_TOOL_GLOBS, `must have at most ${MAX_TOOL_GLOBS} entries`)
    .transform((globs) => [...new Set(globs)]);
export const nameGlobs = globList(isValidToolGlob, 'must be 1-200 characters of A-Z a-z 0-9 _ - . : / * ?');
export const resourceGlobs = globList(isValidResourceGlob, 'must be 1-500 printable ASCII characters without spaces');

const ruleRateLimitSchema = z.object({
  capacity: z.number().int().min(1).max(1_000_000),
  refillPerSecond: z.number().min(0.001).max(100_000),
});

export const setToolRuleSchema = z.object({
  apiKeyId: idSchema,
  toolGlobs: nameGlobs,
  resourceGlobs: resourceGlobs.nullish(),
  promptGlobs: nameGlobs.nullish(),
  rateLimit: ruleRateLimitSchema.nullish(),
  expectedVersion: expectedVersionSchema,
});

@InputType({ isAbstract: true })
class SelectorRuleGlobsInput {
  @Field(() => ID)
  tenantId: string;

  @Field(() => [String], { description: 'Replaces the globs the rule grants. Empty allows nothing.' })
  toolGlobs: string[];

  @Field(() => [String], { nullable: true, description: 'Resource URI globs the rule grants. Omitted: unchanged. Empty allows nothing.' })
  resourceGlobs?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Prompt-name globs the rule grants. Omitted: unchanged. Empty allows nothing.' })
  promptGlobs?: string[] | null;

  @Field(() => RuleRateLimitInput, { nullable: true, description: RATE_LIMIT_DESCRIPTION })
  rateLimit?: RuleRateLimitInput | null;
}

@InputType()
export class SetSubjectToolRuleInput extends SelectorRuleGlobsInput {
  @Field(() => String, {
    description: 'A token principal\'s subject: the JWT / OAuth `sub` (or the identity provider\'s subject claim), or a client certificate\'s identity.',
  })
  subject: string;
}

@InputType()
export class SetScopeToolRuleInput extends SelectorRuleGlobsInput {
  @Field(() => String, { description: 'A scope as tokens carry it in their scope claim, e.g. "tools:read".' })
  scope: string;
}

/** RFC 6749 §3.3 scope-token characters: printable ASCII except space, `"` and `\`. */
export const scopeSchema = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,200}$/, 'must be 1-200 printable characters without spaces, quotes or backslashes');

export const setScopeToolRuleSchema = z.object({
  tenantId: idSchema,
  scope: scopeSchema,
  toolGlobs: nameGlobs,
  resourceGlobs: resourceGlobs.nullish(),
  promptGlobs: nameGlobs.nullish(),
  rateLimit: ruleRateLimitSchema.nullish(),
});

/**
 * Subjects are matched exactly as the identity provider states them, so nothing is trimmed.
 * API keys are not token subjects: their rule is set with setToolRule.
 */
export const subjectSchema = z
  .string()
  .regex(/^[^\x00-\x1F\x7F]{1,500}$/, 'must be 1-500 characters without control characters')
  .refine((s) => !s.startsWith('apikey:'), 'names an API key; set its rule with setToolRule');

export const setSubjectToolRuleSchema = setScopeToolRuleSchema.omit({ scope: true }).extend({ subject: subjectSchema });
