import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { z } from 'zod';
import { EXPECTED_VERSION_DESCRIPTION, expectedVersionSchema, idSchema, pathSegmentSchema } from '../validation/field-schemas.js';

@InputType()
export class AddUpstreamServerInput {
  @Field(() => ID)
  tenantId: string;

  @Field(() => String, { description: 'Path segment in proxy URLs; 2-63 of a-z, 0-9, "-". Unique per tenant.' })
  name: string;

  @Field(() => String, { description: 'The upstream MCP endpoint (http or https).' })
  url: string;

  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION_DESCRIPTION })
  expectedVersion?: number | null;
}

/**
 * Credentials in the URL are refused: the URL is shown in the admin API and published in every
 * snapshot. Upstream authentication gets its own, secret-safe setting later.
 */
export const upstreamUrlSchema = z
  .string()
  .max(2048, 'must be at most 2048 characters')
  .superRefine((value, ctx) => {
    const url = URL.parse(value);
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
      ctx.addIssue({ code: 'custom', message: 'must be an absolute http:// or https:// URL' });
    } else if (url.username !== '' || url.password !== '') {
      ctx.addIssue({ code: 'custom', message: 'must not contain credentials' });
    }
  });

export const addUpstreamServerSchema = z.object({
  tenantId: idSchema,
  name: pathSegmentSchema,
  url: upstreamUrlSchema,
  expectedVersion: expectedVersionSchema,
});
