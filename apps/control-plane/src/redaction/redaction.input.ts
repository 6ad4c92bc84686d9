import { checkCustomPattern } from '@mcpg/audit';
import { Field, ID, InputType } from '@nestjs/graphql';
import { z } from 'zod';
import { idSchema } from '../validation/field-schemas.js';

export const MAX_CUSTOM_PATTERNS = 50;

@InputType()
export class CustomRedactionPatternInput {
  @Field({ description: 'Shown in redacted values as [REDACTED:custom:<name>]: 1-64 of a-z 0-9 _ -.' })
  name: string;

  @Field({ description: 'JavaScript regular expression (u flag). Refused if it can backtrack catastrophically or matches the empty string.' })
  pattern: string;
}

@InputType()
export class SetRedactionSettingsInput {
  @Field(() => ID)
  tenantId: string;

  @Field({ description: 'Also redact replies going back to clients (JSON and SSE).' })
  redactResponses: boolean;

  @Field({ description: '"redact" removes secrets from audited tool arguments; "hash" replaces them with a keyed HMAC so equal values correlate.' })
  argumentValues: string;

  @Field(() => [CustomRedactionPatternInput], { description: 'Replaces the tenant\'s custom patterns; built-in detectors always apply.' })
  customPatterns: CustomRedactionPatternInput[];
}

export const setRedactionSettingsSchema = z.object({
  tenantId: idSchema,
  redactResponses: z.boolean(),
  argumentValues: z.enum(['redact', 'hash']),
  customPatterns: z
    .array(
      z.object({
        name: z.string().regex(/^[a-z0-9_-]{1,64}$/, 'must be 1-64 characters of a-z 0-9 _ -'),
        pattern: z.string().superRefine((pattern, ctx) => {
          const problem = checkCustomPattern(pattern);
          if (problem) ctx.addIssue({ code: 'custom', message: `${problem.code}: ${problem.message}` });
        }),
      }),
    )
    .max(MAX_CUSTOM_PATTERNS, `must have at most ${MAX_CUSTOM_PATTERNS} entries`)
    .refine((patterns) => new Set(patterns.map((p) => p.name)).size === patterns.length, 'names must be unique'),
});
