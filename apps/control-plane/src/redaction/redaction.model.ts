import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { AuditToolResults } from './redaction.input.js';

@ObjectType('CustomRedactionPattern')
export class CustomRedactionPatternModel {
  @Field()
  name: string;

  @Field()
  pattern: string;
}

@ObjectType('RedactionSettings', { description: "A tenant's redaction settings; built-in secret detectors always apply to audited tool arguments." })
export class RedactionSettingsModel {
  @Field(() => ID)
  tenantId: string;

  @Field()
  redactResponses: boolean;

  @Field({ description: '"redact" or "hash".' })
  argumentValues: string;

  @Field(() => [CustomRedactionPatternModel])
  customPatterns: CustomRedactionPatternModel[];

  @Field(() => AuditToolResults, { description: 'Whether tool results enter `tool.result` audit events (redacted, capped).' })
  auditToolResults: AuditToolResults;

  @Field(() => Int, { description: 'Cap on a recorded tool result, in UTF-8 bytes.' })
  auditToolResultMaxBytes: number;

  @Field(() => Date, { nullable: true, description: 'Null while the tenant has the defaults.' })
  updatedAt: Date | null;
}
