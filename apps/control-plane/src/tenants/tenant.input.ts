import { Field, InputType } from '@nestjs/graphql';
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
