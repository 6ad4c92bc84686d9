import { Field, ID, ObjectType } from '@nestjs/graphql';

@ObjectType('ToolRule', { description: 'Which tool-name globs one API key may call. Absent or empty: none.' })
export class ToolRuleModel {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  apiKeyId: string;

  @Field(() => [String])
  toolGlobs: string[];

  @Field(() => [String])
  resourceGlobs: string[];

  @Field(() => [String])
  promptGlobs: string[];

  @Field(() => Date)
  updatedAt: Date;
}
