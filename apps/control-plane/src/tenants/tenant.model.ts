import { Field, ID, ObjectType } from '@nestjs/graphql';

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
}
