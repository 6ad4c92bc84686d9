import { Field, ID, InputType } from '@nestjs/graphql';
import { z } from 'zod';
import { idSchema } from '../validation/field-schemas.js';

export const sinkKinds = ['splunk_hec', 'elastic', 'webhook'] as const;

@InputType()
export class CreateAuditSinkInput {
  @Field(() => ID)
  tenantId: string;

  @Field({ description: '1-64 of a-z 0-9 _ -, unique per tenant.' })
  name: string;

  @Field({ description: 'splunk_hec, elastic or webhook.' })
  kind: string;

  @Field({ description: 'HEC collector base URL, Elastic cluster URL, or the webhook URL (http or https).' })
  url: string;

  @Field(() => String, { nullable: true, description: 'HEC index, or Elastic index / data stream (required for elastic).' })
  index?: string | null;

  @Field(() => String, { nullable: true, description: 'HEC sourcetype (default mcpg:audit).' })
  sourcetype?: string | null;

  @Field(() => String, { nullable: true, description: 'HEC source (default mcp-guard).' })
  source?: string | null;

  @Field({ nullable: true, description: 'HEC indexer acknowledgement.' })
  ack?: boolean;

  @Field(() => String, { nullable: true, description: 'Elastic basic-auth user; `secret` is then the password, else the encoded API key.' })
  username?: string | null;

  @Field({ description: 'HEC token, Elastic API key (or password), or webhook HMAC secret. Stored encrypted; never returned.' })
  secret: string;
}

@InputType()
export class UpdateAuditSinkInput {
  @Field(() => ID)
  id: string;

  @Field(() => String, { nullable: true })
  url?: string | null;

  @Field(() => String, { nullable: true })
  index?: string | null;

  @Field(() => String, { nullable: true })
  sourcetype?: string | null;

  @Field(() => String, { nullable: true })
  source?: string | null;

  @Field({ nullable: true })
  ack?: boolean;

  @Field(() => String, { nullable: true, description: 'Replaces the stored credentials.' })
  secret?: string | null;
}

const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2048);
const indexName = z.string().regex(/^[a-z0-9][a-z0-9._:-]{0,254}$/, 'lowercase index name');
const text = z.string().min(1).max(200);
const secret = z.string().min(8, 'must be at least 8 characters').max(4096);

export const createAuditSinkSchema = z
  .object({
    tenantId: idSchema,
    name: z.string().regex(/^[a-z0-9_-]{1,64}$/, 'must be 1-64 characters of a-z 0-9 _ -'),
    kind: z.enum(sinkKinds),
    url: httpUrl,
    index: indexName.nullish(),
    sourcetype: text.nullish(),
    source: text.nullish(),
    ack: z.boolean().optional(),
    username: text.nullish(),
    secret,
  })
  .superRefine((input, ctx) => {
    if (input.kind === 'elastic' && !input.index) ctx.addIssue({ code: 'custom', path: ['index'], message: 'is required for an elastic sink' });
    if (input.kind === 'webhook' && input.secret.length < 16) ctx.addIssue({ code: 'custom', path: ['secret'], message: 'must be at least 16 characters for a webhook' });
  });

export const updateAuditSinkSchema = z.object({
  id: idSchema,
  url: httpUrl.nullish(),
  index: indexName.nullish(),
  sourcetype: text.nullish(),
  source: text.nullish(),
  ack: z.boolean().optional(),
  secret: secret.nullish(),
});
