import { z } from 'zod';

/** Bump when the snapshot's shape changes incompatibly; proxies refuse versions they do not know. */
export const SNAPSHOT_SCHEMA_VERSION = 1;

/** A server the proxy spawns itself and speaks to over stdin/stdout (trusted deployments only). */
export const stdioCommandSchema = z.object({
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  env: z.record(z.string(), z.string()).default({}),
  cwd: z.string().optional(),
});

export const snapshotServerSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** For stdio servers `stdio:<name>`: nothing is fetched from it. */
  url: z.url(),
  /**
   * How the upstream speaks MCP: Streamable HTTP at `url` (clients use /mcp), or the legacy
   * HTTP+SSE transport with its SSE endpoint at `url` (clients use /sse and /messages), or a
   * command the proxy spawns per session (clients use /mcp).
   */
  transport: z.enum(['streamable-http', 'sse', 'stdio']).default('streamable-http'),
  stdio: stdioCommandSchema.optional(),
});

export const snapshotApiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  /** SHA-256 hex of the whole key; the key itself never leaves the moment of creation. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  revokedAt: z.string().nullable(),
});

export const snapshotToolRuleSchema = z.object({
  id: z.string(),
  apiKeyId: z.string(),
  toolGlobs: z.array(z.string()),
  /** `resources/read` / `resources/subscribe` URIs this key may use; absent in older snapshots. */
  resourceGlobs: z.array(z.string()).default([]),
  /** `prompts/get` names this key may use; absent in older snapshots. */
  promptGlobs: z.array(z.string()).default([]),
});

export const rateLimitSchema = z.object({
  /** Burst size of the per-identity token bucket. */
  capacity: z.number().int().positive(),
  /** Sustained requests per second. */
  refillPerSecond: z.number().positive(),
});

/**
 * Per-tenant request limits. Every field is optional: an absent one falls back to the proxy's
 * configured default (MCPG_* environment variables), so a tenant only states what it changes.
 */
export const tenantLimitsSchema = z.object({
  maxBodyBytes: z.number().int().positive().max(64 * 1024 * 1024).optional(),
  maxJsonDepth: z.number().int().positive().max(1000).optional(),
  maxBatchLength: z.number().int().positive().max(10_000).optional(),
  /** The proxy refuses heads above 64 KiB for everyone. */
  maxHeaderBytes: z.number().int().positive().max(64 * 1024).optional(),
  upstreamConnectTimeoutMs: z.number().int().positive().max(600_000).optional(),
  upstreamResponseTimeoutMs: z.number().int().positive().max(3_600_000).optional(),
  sseIdleTimeoutMs: z.number().int().positive().max(86_400_000).optional(),
});

export const tenantSnapshotSchema = z.object({
  schemaVersion: z.literal(SNAPSHOT_SCHEMA_VERSION),
  tenantId: z.string(),
  tenantSlug: z.string(),
  version: z.number().int().positive(),
  createdAt: z.string(),
  servers: z.array(snapshotServerSchema),
  apiKeys: z.array(snapshotApiKeySchema),
  rules: z.array(snapshotToolRuleSchema),
  limits: tenantLimitsSchema.extend({ rateLimit: rateLimitSchema }),
  /**
   * Browser origins allowed to call this tenant's servers (MCP transports: servers must validate
   * `Origin` against DNS rebinding). Requests without `Origin` (non-browser clients) are unaffected.
   */
  allowedOrigins: z.array(z.string()).default([]),
});

export type TenantSnapshot = z.infer<typeof tenantSnapshotSchema>;
export type SnapshotServer = z.infer<typeof snapshotServerSchema>;
export type StdioCommand = z.infer<typeof stdioCommandSchema>;
export type SnapshotApiKey = z.infer<typeof snapshotApiKeySchema>;
export type SnapshotToolRule = z.infer<typeof snapshotToolRuleSchema>;
export type TenantLimits = z.infer<typeof tenantLimitsSchema>;
export type RateLimitConfig = z.infer<typeof rateLimitSchema>;

export const DEFAULT_RATE_LIMIT: RateLimitConfig = { capacity: 100, refillPerSecond: 20 };
