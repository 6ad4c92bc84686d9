import { Field, InputType, registerEnumType } from '@nestjs/graphql';
import { SortDirection } from '../pagination/connection.model.js';
import { z } from 'zod';
import { displayNameSchema, pathSegmentSchema } from '../validation/field-schemas.js';

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
