import { Field, ID, ObjectType } from '@nestjs/graphql';

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

  @Field(() => Date, { nullable: true, description: 'Null while the tenant has the defaults.' })
  updatedAt: Date | null;
}
