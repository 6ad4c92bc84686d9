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

  @Field(() => Date, { nullable: true, description: 'The key stops working at this instant (expiry, or the end of a rotation overlap).' })
  expiresAt: Date | null;

  @Field(() => ID, { nullable: true, description: 'The key this one was rotated into.' })
  replacedById: string | null;

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

@ObjectType('RotatedApiKey')
export class RotatedApiKeyModel {
  @Field(() => ApiKeyModel, { description: 'The old key, now expiring at the end of the overlap.' })
  oldKey: ApiKeyModel;

  @Field(() => CreatedApiKeyModel, { description: 'The new key with its secret, shown once. It has the old key\'s tool globs.' })
  newKey: CreatedApiKeyModel;
}
