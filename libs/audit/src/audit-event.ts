import { z } from 'zod';

/** Bump on incompatible changes; docs/audit-events.md documents every field. */
export const AUDIT_SCHEMA_VERSION = 1;

export const auditKinds = [
  'auth.failure',
  'request',
  'tool.call',
  'tool.denied',
  'resource.denied',
  'prompt.denied',
  'rate_limited',
  'request.invalid',
  'upstream.error',
  'admin.change',
  /** The proxy's audit spool was full and refused events; `details` says how many. */
  'audit.refused',
  /**
   * What a tool returned, redacted and capped, when the tenant turned `auditToolResults` on;
   * `callEventId` is the `id` of the `tool.call` event it answers.
   */
  'tool.result',
] as const;
export type AuditKind = (typeof auditKinds)[number];

export const auditPrincipalSchema = z.object({
  subject: z.string(),
  via: z.string(),
  keyId: z.string().optional(),
});

/**
 * One content item of a tool result as audited: text items keep their (redacted, possibly cut)
 * text; images, audio and resources are recorded by type only, never their data.
 */
export const auditedContentItemSchema = z.object({ type: z.string(), text: z.string().optional() });

/** A `tools/call` result as it may enter a `tool.result` event: redacted, then cut to the tenant's byte cap. */
export const auditedToolResultSchema = z.object({
  /** The tool's own `isError` (a tool-level failure, not a protocol error). */
  isError: z.boolean(),
  content: z.array(auditedContentItemSchema),
  /** Absent when the result had none, or when it did not fit in the cap (then `truncated`). */
  structuredContent: z.unknown().optional(),
  /** Something was cut or left out to stay within the cap. */
  truncated: z.boolean(),
});
export type AuditedToolResult = z.infer<typeof auditedToolResultSchema>;

/** What an `admin.change` event changed (DESIGN.md §8). `before`/`after` never hold a secret or hash. */
export const adminChangeSchema = z.object({
  /** The GraphQL mutation, e.g. `createApiKey`. */
  action: z.string(),
  /** `Tenant`, `ApiKey`, `UpstreamServer`, `ToolRule`, `AdminToken`, `Region`, … */
  targetType: z.string(),
  targetId: z.string().nullable(),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
});

export const auditEventSchema = z.object({
  schemaVersion: z.literal(AUDIT_SCHEMA_VERSION),
  id: z.string(),
  time: z.string(),
  tenantId: z.string().nullable(),
  region: z.string(),
  proxyId: z.string(),
  kind: z.enum(auditKinds),
  principal: auditPrincipalSchema.nullable(),
  server: z.string().nullable(),
  method: z.string().nullable(),
  rpcId: z.union([z.string(), z.number()]).nullable(),
  tool: z.string().nullable(),
  decision: z.enum(['allow', 'deny', 'error']),
  reason: z.string().nullable(),
  /** The rule that allowed or denied; null when the default deny (or no rule) decided. */
  ruleId: z.string().nullable(),
  /** Snapshot version in force for the tenant when the decision was made. */
  snapshotVersion: z.number().int().nullable(),
  status: z.number().int().nullable(),
  latencyMs: z.number().nullable(),
  bytesIn: z.number().int().nullable(),
  bytesOut: z.number().int().nullable(),
  traceId: z.string().nullable(),
  sourceIp: z.string().nullable(),
  /** Only on `admin.change` events. */
  change: adminChangeSchema.optional(),
  /**
   * `tools/call` arguments after redaction (never before): secrets replaced by
   * `[REDACTED:<detector>]` or, when the tenant chose keyed hashing, `hmac-sha256:<hex>`.
   */
  arguments: z.unknown().optional(),
  /** How many values redaction replaced in this message (arguments, or the result); never what they were. */
  redactedCount: z.number().int().nonnegative().optional(),
  /** Only on `tool.result` events: the tool's result after redaction, within the tenant's byte cap. */
  result: auditedToolResultSchema.optional(),
  /** Only on `tool.result` events: the `id` of the `tool.call` event this result answers. */
  callEventId: z.string().optional(),
  /** Kind-specific facts without a column of their own, e.g. what an `admin.change` changed. */
  details: z.record(z.string(), z.unknown()).optional(),
  /** Position in this proxy's hash chain (starts at 1 per chain). */
  seq: z.number().int().positive().optional(),
  /** SHA-256 hex of the previous event of the same chain (64 zeros for the first). */
  prevHash: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});
export type AuditEvent = z.infer<typeof auditEventSchema>;
export type AdminChange = z.infer<typeof adminChangeSchema>;

/** One BullMQ job on `audit-export`. */
export const auditBatchSchema = z.object({ events: z.array(auditEventSchema).min(1) });
export type AuditBatch = z.infer<typeof auditBatchSchema>;
