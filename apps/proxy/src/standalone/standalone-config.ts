import { readFile } from 'node:fs/promises';
import { credentialHeaderNameSchema, rateLimitSchema, stdioCommandSchema, tenantLimitsSchema, type TenantModel } from '@mcpg/policy';
import { parseDocument } from 'yaml';
import { z } from 'zod';

/**
 * `mcp-guard.yaml`: one tenant protected by a proxy running alone (DESIGN.md §9) — no
 * PostgreSQL, no Redis. The file says what the control plane's database would: servers, keys
 * (by hash, from `mcp-guard keygen`), what each key may use, limits; plus where audit goes.
 */
const nameSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be 2-63 characters of a-z, 0-9 and "-"');
const globsSchema = z.array(z.string().regex(/^[\x21-\x7e]{1,500}$/, 'must be 1-500 printable characters without spaces')).default([]);

/**
 * The upstream's own credential. The value is never in the file: it is read from the named
 * environment variable when `run` starts (a missing one stops the start with an error).
 */
const credentialSchema = z
  .object({
    kind: z.enum(['bearer', 'header']),
    headerName: credentialHeaderNameSchema.optional(),
    valueFromEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be an environment variable name'),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.kind === 'header' && !c.headerName) ctx.addIssue({ code: 'custom', path: ['headerName'], message: 'is required for kind "header"' });
    if (c.kind === 'bearer' && c.headerName) ctx.addIssue({ code: 'custom', path: ['headerName'], message: 'is only for kind "header"' });
  });

const serverSchema = z
  .object({
    name: nameSchema,
    url: z.url().optional(),
    transport: z.enum(['streamable-http', 'sse', 'stdio']).default('streamable-http'),
    stdio: stdioCommandSchema.optional(),
    credential: credentialSchema.optional(),
  })
  .strict()
  .superRefine((server, ctx) => {
    if (server.transport === 'stdio' && server.credential) ctx.addIssue({ code: 'custom', path: ['credential'], message: 'is not for stdio servers (they get no headers)' });
    if (server.transport === 'stdio' && !server.stdio) ctx.addIssue({ code: 'custom', path: ['stdio'], message: 'is required for transport "stdio"' });
    if (server.transport !== 'stdio' && !server.url) ctx.addIssue({ code: 'custom', path: ['url'], message: 'is required' });
  });

const keySchema = z
  .object({
    name: z.string().min(1).max(100),
    // A hex string can look like a YAML number (all digits, or digits with one "e"): quote it.
    hash: z
      .string({ error: 'must be the SHA-256 hex printed by `mcp-guard keygen`, in quotes' })
      .regex(/^[0-9a-f]{64}$/, 'must be the SHA-256 hex printed by `mcp-guard keygen`'),
    tools: globsSchema,
    resources: globsSchema,
    prompts: globsSchema,
    revoked: z.boolean().default(false),
  })
  .strict();

/** Wins over every key's allow globs (tools, resources, prompts); for one key, or everyone. */
const denySchema = z
  .object({
    name: z.string().min(1).max(100),
    /** A key's `name`; without it the rule applies to every key. */
    key: z.string().min(1).max(100).optional(),
    tools: globsSchema,
    resources: globsSchema,
    prompts: globsSchema,
  })
  .strict();

export const standaloneConfigSchema = z
  .object({
    tenant: nameSchema.default('local'),
    listen: z.object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65_535).default(8080) }).strict().default({ host: '127.0.0.1', port: 8080 }),
    servers: z.array(serverSchema).min(1, 'must list at least one server'),
    keys: z.array(keySchema).default([]),
    deny: z.array(denySchema).default([]),
    rateLimit: rateLimitSchema.optional(),
    limits: tenantLimitsSchema.strict().default({}),
    allowedOrigins: z.array(z.string()).default([]),
    audit: z
      .object({ stdout: z.boolean().default(false), file: z.string().optional() })
      .strict()
      .default({ stdout: true })
      .refine((a) => a.stdout || a.file !== undefined, 'must send audit somewhere: stdout: true and/or file: <path>'),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.servers.forEach((s, i) => {
      if (seen.has(s.name)) ctx.addIssue({ code: 'custom', path: ['servers', i, 'name'], message: `duplicate server name "${s.name}"` });
      seen.add(s.name);
    });
    const keyNames = new Set(config.keys.map((k) => k.name));
    const denyNames = new Set<string>();
    config.deny.forEach((d, i) => {
      if (d.key !== undefined && !keyNames.has(d.key)) ctx.addIssue({ code: 'custom', path: ['deny', i, 'key'], message: `no key is named "${d.key}"` });
      if (denyNames.has(d.name)) ctx.addIssue({ code: 'custom', path: ['deny', i, 'name'], message: `duplicate deny rule name "${d.name}"` });
      denyNames.add(d.name);
    });
    const hashes = new Set<string>();
    config.keys.forEach((k, i) => {
      if (hashes.has(k.hash)) ctx.addIssue({ code: 'custom', path: ['keys', i, 'hash'], message: 'duplicate key hash' });
      hashes.add(k.hash);
    });
  });

export type StandaloneConfig = z.infer<typeof standaloneConfigSchema>;

export type ConfigResult = { ok: true; config: StandaloneConfig } | { ok: false; errors: string[] };

/** Parses and validates the file; every problem is reported with its path (or YAML line). */
export function parseStandaloneConfig(text: string): ConfigResult {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) return { ok: false, errors: doc.errors.map((e) => `yaml: ${e.message.split('\n')[0]}`) };
  const parsed = standaloneConfigSchema.safeParse(doc.toJS());
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`) };
  return { ok: true, config: parsed.data };
}

export async function loadStandaloneConfig(path: string): Promise<ConfigResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return { ok: false, errors: [`${path}: ${(err as Error).message}`] };
  }
  return parseStandaloneConfig(text);
}

/** The file as the model the control plane would compile: ids are derived from names. */
export function standaloneTenantModel(config: StandaloneConfig): TenantModel {
  return {
    tenant: { id: `standalone:${config.tenant}`, slug: config.tenant },
    servers: config.servers.map((s) => ({ id: `server:${s.name}`, name: s.name, url: s.url ?? `stdio:${s.name}`, transport: s.transport, stdio: s.stdio ?? null })),
    apiKeys: config.keys.map((k) => ({ id: `key:${k.name}`, name: k.name, prefix: '', hash: k.hash, revokedAt: k.revoked ? new Date(0) : null })),
    toolRules: config.keys.map((k) => ({ id: `rule:${k.name}`, apiKeyId: `key:${k.name}`, toolGlobs: k.tools, resourceGlobs: k.resources, promptGlobs: k.prompts })),
    denyRules: config.deny.map((d) => ({
      id: `deny:${d.name}`,
      name: d.name,
      apiKeyId: d.key === undefined ? null : `key:${d.key}`,
      scope: null,
      subject: null,
      toolGlobs: d.tools,
      resourceGlobs: d.resources,
      promptGlobs: d.prompts,
    })),
    ...(config.rateLimit ? { rateLimit: config.rateLimit } : {}),
    limits: config.limits,
    allowedOrigins: config.allowedOrigins,
  };
}
