import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { z } from 'zod';
import { displayNameSchema, EXPECTED_VERSION_DESCRIPTION, expectedVersionSchema, idSchema } from '../validation/field-schemas.js';

@InputType()
export class CreateApiKeyInput {
  @Field(() => ID)
  tenantId: string;

  @Field(() => String)
  name: string;

  @Field(() => Date, { nullable: true, description: 'The key stops working at this instant. Default: never.' })
  expiresAt?: Date | null;

  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION_DESCRIPTION })
  expectedVersion?: number | null;
}

/** A key that is already expired when created would be useless; a typo in the year is the usual cause. */
const futureDateSchema = z.coerce.date().refine((d) => d.getTime() > Date.now(), 'must be in the future');

export const createApiKeySchema = z.object({
  tenantId: idSchema,
  name: displayNameSchema,
  expiresAt: futureDateSchema.nullish(),
  expectedVersion: expectedVersionSchema,
});

@InputType()
export class RotateApiKeyInput {
  @Field(() => ID, { description: 'The key to replace.' })
  id: string;

  @Field(() => Date, { description: 'Until when the old key keeps working (the overlap); at most 90 days ahead. Use now to end it at once.' })
  oldKeyExpiresAt: Date;

  @Field(() => Date, { nullable: true, description: 'Expiry of the new key. Default: the old key\'s expiry if it had one after the overlap, else never.' })
  expiresAt?: Date | null;
}

const MAX_OVERLAP_MS = 90 * 24 * 3600 * 1000;

export const rotateApiKeySchema = z.object({
  id: idSchema,
  oldKeyExpiresAt: z.coerce.date().refine((d) => d.getTime() <= Date.now() + MAX_OVERLAP_MS, 'must be at most 90 days ahead'),
  expiresAt: futureDateSchema.nullish(),
});

@InputType()
export class ApiKeyFilter {
  @Field(() => Boolean, { nullable: true })
  isRevoked?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Case-insensitive substring of the name.' })
  nameContains?: string | null;
}
