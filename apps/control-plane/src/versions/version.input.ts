import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { z } from 'zod';
import { EXPECTED_VERSION_DESCRIPTION, expectedVersionSchema, idSchema } from '../validation/field-schemas.js';

@InputType()
export class RollbackTenantInput {
  @Field(() => ID)
  tenantId: string;

  @Field(() => Int, { description: 'The earlier version whose servers and tool rules are restored.' })
  toVersion: number;

  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION_DESCRIPTION })
  expectedVersion?: number | null;
}

export const rollbackTenantSchema = z.object({
  tenantId: idSchema,
  toVersion: z.number().int().positive('must be a published version'),
  expectedVersion: expectedVersionSchema,
});

export const versionPairSchema = z.object({ fromVersion: z.number().int().positive(), toVersion: z.number().int().positive() });
