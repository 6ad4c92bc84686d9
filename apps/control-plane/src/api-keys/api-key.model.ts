import { Field, ID, ObjectType } from '@nestjs/graphql';
import { ConnectionOf } from '../pagination/connection.model.js';

/** An API key as admins see it: never its hash, never its secret. */
@ObjectType('ApiKey')
export class ApiKeyModel {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  tenantId: string;

  @Field(() => String)
  name: string;

  @Field(() => String, { description: 'First characters of the key ("mcpg_AbC123"), enough to recognise it.' })
  prefix: string;

  @Field(() => Date)
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  revokedAt: Date | null;

  @Field(() => [String], { description: 'Tool-name globs this key may call. Empty means none (default deny).' })
  toolGlobs: string[];
}

@ObjectType('CreatedApiKey')
export class CreatedApiKeyModel {
  @Field(() => ApiKeyModel)
  apiKey: ApiKeyModel;

  @Field(() => String, { description: 'The full key. Returned only here, once; MCP Guard stores only its hash.' })
  secret: string;
}

export const ApiKeyConnection = ConnectionOf(ApiKeyModel, 'ApiKey');
