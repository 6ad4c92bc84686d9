import { checkCustomPattern } from '@mcpg/audit';
import { DEFAULT_AUDIT_TOOL_RESULT_BYTES, MAX_AUDIT_TOOL_RESULT_BYTES, MIN_AUDIT_TOOL_RESULT_BYTES } from '@mcpg/policy';
import { Field, ID, InputType, Int, registerEnumType } from '@nestjs/graphql';
import { z } from 'zod';
import { idSchema } from '../validation/field-schemas.js';

export const MAX_CUSTOM_PATTERNS = 50;

/** Whether tool results enter audit events (`tool.result`); stored and compiled as `off` / `on`. */
export enum AuditToolResults {
  OFF = 'off',
  ON = 'on',
}
registerEnumType(AuditToolResults, {
  name: 'AuditToolResults',
  description: 'Whether what tools return is recorded in `tool.result` audit events, redacted like the arguments and cut to a byte cap.',
});

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

  @Field(() => AuditToolResults, {
    nullable: true,
    defaultValue: AuditToolResults.OFF,
    description: 'ON records tool results in `tool.result` audit events, redacted like the arguments (secrets never enter the event) and cut to `auditToolResultMaxBytes`. Like every field here it is replaced: left out, it is OFF.',
  })
  auditToolResults?: AuditToolResults | null;

  @Field(() => Int, {
    nullable: true,
    defaultValue: DEFAULT_AUDIT_TOOL_RESULT_BYTES,
    description: `Cap on the recorded result in UTF-8 bytes, ${MIN_AUDIT_TOOL_RESULT_BYTES}-${MAX_AUDIT_TOOL_RESULT_BYTES} (default ${DEFAULT_AUDIT_TOOL_RESULT_BYTES}); a longer result is cut and flagged \`truncated\`.`,
  })
  auditToolResultMaxBytes?: number | null;
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
  auditToolResults: z
    .enum(AuditToolResults)
    .nullish()
    .transform((mode) => mode ?? AuditToolResults.OFF),
  auditToolResultMaxBytes: z
    .number()
    .int()
    .min(MIN_AUDIT_TOOL_RESULT_BYTES, `must be at least ${MIN_AUDIT_TOOL_RESULT_BYTES}`)
    .max(MAX_AUDIT_TOOL_RESULT_BYTES, `must be at most ${MAX_AUDIT_TOOL_RESULT_BYTES}`)
    .nullish()
    .transform((bytes) => bytes ?? DEFAULT_AUDIT_TOOL_RESULT_BYTES),
});
