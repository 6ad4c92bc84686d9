import { Field, ID, InputType, Int, registerEnumType } from '@nestjs/graphql';
import { upstreamCredentialSchema } from '@mcpg/policy';
import { z } from 'zod';
import { EXPECTED_VERSION_DESCRIPTION, expectedVersionSchema, idSchema, pathSegmentSchema } from '../validation/field-schemas.js';

@InputType()
export class EnvVarInput {
  @Field(() => String)
  name: string;

  @Field(() => String, { description: 'Published in snapshots and kept in the database in clear: no secrets.' })
  value: string;
}

@InputType()
export class StdioCommandInput {
  @Field(() => String, { description: 'Executable (absolute path or on the proxy PATH); run without a shell.' })
  command: string;

  @Field(() => [String], { nullable: true })
  args?: string[] | null;

  @Field(() => [EnvVarInput], { nullable: true, description: 'Environment of the process (besides PATH, HOME, LANG, TZ, TMPDIR, USER, SHELL, TERM).' })
  env?: EnvVarInput[] | null;

  @Field(() => String, { nullable: true, description: 'Working directory.' })
  cwd?: string | null;
}

export enum UpstreamCredentialKindInput {
  BEARER = 'bearer',
  HEADER = 'header',
}

registerEnumType(UpstreamCredentialKindInput, {
  name: 'UpstreamCredentialKind',
  description: 'BEARER: `Authorization: Bearer <value>`; HEADER: `<headerName>: <value>` (e.g. X-API-Key).',
});

@InputType({ description: 'What the proxy sends to the upstream on every request (the client\'s own credential never is). Write-only.' })
export class UpstreamCredentialInput {
  @Field(() => UpstreamCredentialKindInput)
  kind: UpstreamCredentialKindInput;

  @Field(() => String, { nullable: true, description: 'For HEADER: the header name, e.g. X-API-Key.' })
  headerName?: string | null;

  @Field(() => String, { description: 'The secret. Encrypted at rest and in snapshots; never returned.' })
  value: string;
}

@InputType()
export class SetUpstreamServerCredentialInput {
  @Field(() => ID)
  serverId: string;

  @Field(() => UpstreamCredentialInput, { nullable: true, description: 'Null removes the credential.' })
  credential?: UpstreamCredentialInput | null;

  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION_DESCRIPTION })
  expectedVersion?: number | null;
}

@InputType()
export class AddUpstreamServerInput {
  @Field(() => ID)
  tenantId: string;

  @Field(() => String, { description: 'Path segment in proxy URLs; 2-63 of a-z, 0-9, "-". Unique per tenant.' })
  name: string;

  @Field(() => String, {
    nullable: true,
    description: 'The upstream MCP endpoint (http or https); for transport "sse", its SSE endpoint. Not used for "stdio".',
  })
  url?: string | null;

  @Field(() => String, {
    nullable: true,
    description: '"streamable-http" (default), "sse" (legacy HTTP+SSE) or "stdio" (a command proxies spawn; needs MCPG_ALLOW_STDIO_UPSTREAMS).',
  })
  transport?: string | null;

  @Field(() => StdioCommandInput, { nullable: true, description: 'For transport "stdio": the command to spawn, one process per session.' })
  stdio?: StdioCommandInput | null;

  @Field(() => UpstreamCredentialInput, { nullable: true, description: 'Sent to the upstream on every request; not for "stdio".' })
  credential?: UpstreamCredentialInput | null;

  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION_DESCRIPTION })
  expectedVersion?: number | null;
}

/**
 * Credentials in the URL are refused: the URL is shown in the admin API and published in every
 * snapshot. Upstream authentication has its own, sealed setting (`credential`).
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

const stdioCommandInputSchema = z.object({
  command: z.string().min(1, 'must not be empty').max(1024),
  args: z.array(z.string().max(4096)).max(100).nullish().transform((a) => a ?? []),
  env: z
    .array(z.object({ name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be an environment variable name'), value: z.string().max(4096) }))
    .max(100)
    .nullish()
    .transform((vars) => Object.fromEntries((vars ?? []).map((v) => [v.name, v.value]))),
  cwd: z.string().min(1).max(1024).nullish().transform((c) => c ?? undefined),
});

export { upstreamCredentialSchema };

export type UpstreamCredential = z.output<typeof upstreamCredentialSchema>;

export const setUpstreamServerCredentialSchema = z.object({
  serverId: idSchema,
  credential: upstreamCredentialSchema.nullish().transform((c) => c ?? null),
  expectedVersion: expectedVersionSchema,
});

export const addUpstreamServerSchema = z
  .object({
    tenantId: idSchema,
    name: pathSegmentSchema,
    url: upstreamUrlSchema.nullish(),
    transport: z
      .enum(['streamable-http', 'sse', 'stdio'], 'must be "streamable-http", "sse" or "stdio"')
      .nullish()
      .transform((t) => t ?? 'streamable-http'),
    stdio: stdioCommandInputSchema.nullish(),
    credential: upstreamCredentialSchema.nullish(),
    expectedVersion: expectedVersionSchema,
  })
  .superRefine((input, ctx) => {
    if (input.transport === 'stdio' && !input.stdio) ctx.addIssue({ code: 'custom', path: ['stdio'], message: 'is required for transport "stdio"' });
    if (input.transport !== 'stdio' && !input.url) ctx.addIssue({ code: 'custom', path: ['url'], message: 'is required' });
    if (input.transport !== 'stdio' && input.stdio) ctx.addIssue({ code: 'custom', path: ['stdio'], message: 'is only for transport "stdio"' });
    if (input.transport === 'stdio' && input.credential) ctx.addIssue({ code: 'custom', path: ['credential'], message: 'is not for transport "stdio" (it has no headers)' });
  });
