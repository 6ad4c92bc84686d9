import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { z } from 'zod';
import { displayNameSchema, EXPECTED_VERSION_DESCRIPTION, expectedVersionSchema, idSchema } from '../validation/field-schemas.js';

@InputType()
export class CreateApiKeyInput {
  @Field(() => ID)
  tenantId: string;

  @Field(() => String)
  name: string;

  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION_DESCRIPTION })
  expectedVersion?: number | null;
}

export const createApiKeySchema = z.object({ tenantId: idSchema, name: displayNameSchema, expectedVersion: expectedVersionSchema });

@InputType()
export class ApiKeyFilter {
  @Field(() => Boolean, { nullable: true })
  isRevoked?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Case-insensitive substring of the name.' })
  nameContains?: string | null;
}
