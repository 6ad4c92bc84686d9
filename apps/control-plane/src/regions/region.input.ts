import { Field, ID, InputType } from '@nestjs/graphql';
import { z } from 'zod';
import { idSchema } from '../validation/field-schemas.js';

@InputType()
export class CreateRegionInput {
  @Field(() => String, { description: "1-63 of a-z, 0-9, '-'; the MCPG_REGION of the region's proxies." })
  name: string;

  @Field(() => String, { description: 'redis:// or rediss:// URL of the region (a password in it is never shown again).' })
  redisUrl: string;

  @Field(() => String, { nullable: true, description: "Key prefix in that Redis; must match the region's proxies' MCPG_REDIS_KEY_PREFIX." })
  redisKeyPrefix?: string | null;
}

@InputType()
export class SetTenantRegionsInput {
  @Field(() => ID)
  tenantId: string;

  @Field(() => [ID], { description: 'Replaces the placement. Empty: the default region (the control plane\'s REDIS_URL).' })
  regionIds: string[];
}

export const createRegionSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be 1-63 of a-z, 0-9, '-'"),
  redisUrl: z.string().max(2048).regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL'),
  redisKeyPrefix: z
    .string()
    .max(100)
    .regex(/^[A-Za-z0-9:_.-]*$/, 'must be letters, digits and : _ . -')
    .nullish()
    .transform((prefix) => prefix ?? ''),
});

export const setTenantRegionsSchema = z.object({
  tenantId: idSchema,
  regionIds: z.array(idSchema).max(50).transform((ids) => [...new Set(ids.map((id) => id.toLowerCase()))]),
});
