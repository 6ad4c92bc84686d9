import { Field, Float, ID, InputType, Int } from '@nestjs/graphql';
import { z } from 'zod';
import { EXPECTED_VERSION_DESCRIPTION, expectedVersionSchema, idSchema } from '../validation/field-schemas.js';

@InputType()
export class SetTenantLimitsInput {
  @Field(() => ID)
  tenantId: string;

  @Field(() => Int, { nullable: true, description: 'Burst size, 1-1,000,000. Absent together with refillPerSecond: back to the default.' })
  rateLimitCapacity?: number | null;

  @Field(() => Float, { nullable: true, description: 'Requests per second, 0.01-100,000.' })
  rateLimitRefillPerSecond?: number | null;

  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION_DESCRIPTION })
  expectedVersion?: number | null;
}

export const setTenantLimitsSchema = z
  .object({
    tenantId: idSchema,
    rateLimitCapacity: z.number().int().min(1).max(1_000_000).nullish(),
    rateLimitRefillPerSecond: z.number().min(0.01).max(100_000).nullish(),
    expectedVersion: expectedVersionSchema,
  })
  .refine((input) => (input.rateLimitCapacity == null) === (input.rateLimitRefillPerSecond == null), {
    path: ['rateLimitRefillPerSecond'],
    message: 'set both rateLimitCapacity and rateLimitRefillPerSecond, or neither',
  });
