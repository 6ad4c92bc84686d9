import { z } from 'zod';

/** Bump when the snapshot's shape changes incompatibly; proxies refuse versions they do not know. */
export const SNAPSHOT_SCHEMA_VERSION = 1;

export const snapshotServerSchema = z.object({
  id: z.string(),
  name: z.string(),
  url: z.url(),
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
});

export const rateLimitSchema = z.object({
  /** Burst size of the per-identity token bucket. */
  capacity: z.number().int().positive(),
  /** Sustained requests per second. */
  refillPerSecond: z.number().positive(),
});

/**
 * A tenant's redaction settings (issue 5). Built-in secret detectors always apply to audit
 * arguments; these add custom patterns (checked for catastrophic backtracking when saved), turn
 * on redaction of responses to clients, and choose keyed hashing over removal in audit events.
 * The hashing key is proxy configuration, never part of a snapshot.
 */
export const snapshotRedactionSchema = z.object({
  customPatterns: z.array(z.object({ name: z.string(), pattern: z.string() })),
  redactResponses: z.boolean(),
  argumentValues: z.enum(['redact', 'hash']),
});

/**
 * A tenant's own audit sink (issue 5), without its credentials: exporters fetch those sealed
 * from `mcpg:sink-secrets` and open them with their key.
 */
export const snapshotSinkSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['splunk_hec', 'elastic', 'webhook']),
  url: z.url(),
  /** HEC index or Elastic index / data stream. */
  index: z.string().nullable(),
  sourcetype: z.string().nullable(),
  source: z.string().nullable(),
  /** HEC indexer acknowledgement. */
  ack: z.boolean(),
  /** Bumped when the credentials change, so exporters reload them. */
  secretVersion: z.number().int(),
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
  limits: z.object({ rateLimit: rateLimitSchema }),
  /** Absent: built-in detectors on audit arguments only. */
  redaction: snapshotRedactionSchema.optional(),
  /** Absent: the tenant's events go only to the exporters' own sinks. */
  sinks: z.array(snapshotSinkSchema).optional(),
});

export type TenantSnapshot = z.infer<typeof tenantSnapshotSchema>;
export type SnapshotServer = z.infer<typeof snapshotServerSchema>;
export type SnapshotApiKey = z.infer<typeof snapshotApiKeySchema>;
export type SnapshotToolRule = z.infer<typeof snapshotToolRuleSchema>;
export type RateLimitConfig = z.infer<typeof rateLimitSchema>;
export type SnapshotRedaction = z.infer<typeof snapshotRedactionSchema>;
export type SnapshotSink = z.infer<typeof snapshotSinkSchema>;

export const DEFAULT_RATE_LIMIT: RateLimitConfig = { capacity: 100, refillPerSecond: 20 };
