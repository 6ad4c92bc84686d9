import { Field, ID, InputType } from '@nestjs/graphql';
import { z } from 'zod';
import { displayNameSchema, idSchema } from '../validation/field-schemas.js';

@InputType()
export class CreateApiKeyInput {
  @Field(() => ID)
  tenantId: string;

  @Field(() => String)
  name: string;
}

export const createApiKeySchema = z.object({ tenantId: idSchema, name: displayNameSchema });
