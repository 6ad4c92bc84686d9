import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { ConnectionOf } from '../pagination/connection.model.js';

@ObjectType('Tenant', { description: 'A customer or team whose MCP servers MCP Guard protects.' })
export class TenantModel {
  @Field(() => ID)
  id: string;

  @Field(() => String, { description: 'URL-safe name used in proxy paths: /t/{slug}/{server}/mcp. Immutable.' })
  slug: string;

  @Field(() => String)
  name: string;

  @Field(() => Date)
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: 'Set while suspended: no proxy serves the tenant.' })
  suspendedAt: Date | null;

  @Field(() => [String], { description: 'Browser origins allowed to call this tenant (others get 403; requests without Origin are unaffected).' })
  allowedOrigins: string[];
}

@ObjectType('TenantLimits', { description: "The tenant's overrides of the proxy's request limits; null: the proxy default." })
export class TenantLimitsModel {
  @Field(() => Int, { nullable: true })
  maxBodyBytes?: number;
  @Field(() => Int, { nullable: true })
  maxJsonDepth?: number;
  @Field(() => Int, { nullable: true })
  maxBatchLength?: number;
  @Field(() => Int, { nullable: true })
  maxHeaderBytes?: number;
  @Field(() => Int, { nullable: true })
  upstreamConnectTimeoutMs?: number;
  @Field(() => Int, { nullable: true })
  upstreamResponseTimeoutMs?: number;
  @Field(() => Int, { nullable: true })
  sseIdleTimeoutMs?: number;
}

export const TenantConnection = ConnectionOf(TenantModel, 'Tenant');
