import { Field, ID, ObjectType } from '@nestjs/graphql';
import { ConnectionOf } from '../pagination/connection.model.js';

@ObjectType('DenyRule', { description: 'Forbids what its globs match to the principals it selects; a deny wins over any allow.' })
export class DenyRuleModel {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  tenantId: string;

  @Field(() => String)
  name: string;

  @Field(() => ID, { nullable: true })
  apiKeyId: string | null;

  @Field(() => String, { nullable: true })
  scope: string | null;

  @Field(() => String, { nullable: true })
  subject: string | null;

  @Field(() => [String])
  toolGlobs: string[];

  @Field(() => [String])
  resourceGlobs: string[];

  @Field(() => [String])
  promptGlobs: string[];

  @Field(() => Date)
  createdAt: Date;
}

export const DenyRuleConnection = ConnectionOf(DenyRuleModel, 'DenyRule');
