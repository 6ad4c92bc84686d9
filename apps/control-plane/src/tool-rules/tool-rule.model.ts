import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('ToolRule', { description: 'Which tool-name globs one API key, every token holding one scope, or one token subject may call. Absent or empty: none.' })
export class ToolRuleModel {
  @Field(() => ID)
  id: string;

  @Field(() => ID, { nullable: true, description: 'Set for a rule of one API key.' })
  apiKeyId: string | null;

  @Field(() => String, { nullable: true, description: 'Set for a rule of a token scope (JWT / OAuth).' })
  scope: string | null;

  @Field(() => String, { nullable: true, description: 'Set for a rule of one token subject (JWT / OAuth `sub`, certificate identity).' })
  subject: string | null;

  @Field(() => [String])
  toolGlobs: string[];

  @Field(() => [String])
  resourceGlobs: string[];

  @Field(() => [String])
  promptGlobs: string[];

  @Field(() => Int, { nullable: true, description: "Burst of the rule's own per-principal rate limit; null: none." })
  rateLimitCapacity: number | null;

  @Field(() => Float, { nullable: true })
  rateLimitRefillPerSecond: number | null;

  @Field(() => Date)
  updatedAt: Date;
}
