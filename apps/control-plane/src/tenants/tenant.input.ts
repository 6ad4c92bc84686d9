import { tenantLimitsSchema } from '@mcpg/policy';
import { Field, ID, InputType, Int, registerEnumType } from '@nestjs/graphql';
import { SortDirection } from '../pagination/connection.model.js';
import { z } from 'zod';
import { displayNameSchema, idSchema, pathSegmentSchema } from '../validation/field-schemas.js';

@InputType()
export class CreateTenantInput {
  @Field(() => String, { description: 'Path segment in proxy URLs; 2-63 of a-z, 0-9, "-".' })
  slug: string;

  @Field(() => String)
  name: string;
}

export const createTenantSchema = z.object({ slug: pathSegmentSchema, name: displayNameSchema });

@InputType()
export class TenantFilter {
  @Field(() => String, { nullable: true, description: 'Case-insensitive substring of the slug.' })
  slugContains?: string | null;

  @Field(() => String, { nullable: true, description: 'Case-insensitive substring of the name.' })
  nameContains?: string | null;

  @Field(() => Boolean, { nullable: true })
  isSuspended?: boolean | null;
}

export enum TenantOrderField {
  CREATED_AT = 'createdAt',
  SLUG = 'slug',
  NAME = 'name',
}
registerEnumType(TenantOrderField, { name: 'TenantOrderField' });

@InputType()
export class TenantOrder {
  @Field(() => TenantOrderField)
  field: TenantOrderField;

  @Field(() => SortDirection, { nullable: true, description: 'ASC by default.' })
  direction?: SortDirection | null;
}

export const tenantFilterSchema = z
  .object({
    slugContains: z.string().max(100).nullish(),
    nameContains: z.string().max(100).nullish(),
    isSuspended: z.boolean().nullish(),
  })
  .nullish();

@InputType({ description: 'Per-tenant request limits; an omitted or null field uses the proxy default.' })
export class TenantLimitsInput {
  @Field(() => Int, { nullable: true, description: 'Largest request body (413 above).' })
  maxBodyBytes?: number | null;
  @Field(() => Int, { nullable: true, description: 'Deepest JSON nesting of a request body (400 above).' })
  maxJsonDepth?: number | null;
  @Field(() => Int, { nullable: true, description: 'Most messages in one JSON-RPC batch (400 above).' })
  maxBatchLength?: number | null;
  @Field(() => Int, { nullable: true, description: 'Largest request head in bytes (431 above); at most 65536.' })
  maxHeaderBytes?: number | null;
  @Field(() => Int, { nullable: true, description: 'Connect timeout to the upstream (504).' })
  upstreamConnectTimeoutMs?: number | null;
  @Field(() => Int, { nullable: true, description: "Time to the upstream's response headers (504)." })
  upstreamResponseTimeoutMs?: number | null;
  @Field(() => Int, { nullable: true, description: 'Longest silence on an SSE stream before the proxy ends it.' })
  sseIdleTimeoutMs?: number | null;
}

@InputType()
export class SetTenantLimitsInput {
  @Field(() => ID)
  tenantId: string;

  @Field(() => TenantLimitsInput, { description: 'Replaces all of the tenant\'s limit overrides.' })
  limits: TenantLimitsInput;
}

/** Nulls from GraphQL mean "use the default": they are dropped, so the stored JSON holds overrides only. */
const limitsInputSchema = z
  .record(z.string(), z.number().nullish())
  .transform((limits) => Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== null && v !== undefined)))
  .pipe(tenantLimitsSchema.strict());

export const setTenantLimitsSchema = z.object({ tenantId: idSchema, limits: limitsInputSchema });

@InputType()
export class SetAllowedOriginsInput {
  @Field(() => ID)
  tenantId: string;

  @Field(() => [String], { description: 'Exact origins (scheme://host[:port]) browsers may call from. Replaces the list.' })
  origins: string[];
}

const originSchema = z.string().refine((value) => {
  const url = URL.parse(value);
  return url !== null && (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
}, 'must be an origin: http(s)://host[:port], no path or trailing slash');

export const setAllowedOriginsSchema = z.object({
  tenantId: idSchema,
  origins: z
    .array(originSchema)
    .max(100, 'must have at most 100 entries')
    .transform((origins) => [...new Set(origins)]),
});
