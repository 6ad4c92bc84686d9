import { z } from 'zod';
import { snapshotUpstreamCredentialSchema } from './upstream-credential.js';

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
  /** What the proxy sends to this upstream instead of the client's credential; sealed, never in clear. */
  credential: snapshotUpstreamCredentialSchema.optional(),
});

export const snapshotApiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  /** SHA-256 hex of the whole key; the key itself never leaves the moment of creation. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  revokedAt: z.string().nullable(),
  /** After this instant the key no longer works (expiry, or the end of a rotation's overlap). */
  expiresAt: z.string().nullable().default(null),
});

/**
 * A rule grants tool globs to one API key (`apiKeyId`), to every principal holding a scope
 * (`scope`, from a JWT or OAuth token), or to one token subject (`subject`, e.g. a JWT `sub`).
 * Exactly one of the three is set.
 */
export const snapshotToolRuleSchema = z
  .object({
    id: z.string(),
    apiKeyId: z.string().optional(),
    scope: z.string().optional(),
    /** A token principal's subject (JWT / OAuth `sub`, or a client certificate's identity). */
    subject: z.string().optional(),
    toolGlobs: z.array(z.string()),
    /** `resources/read` / `resources/subscribe` URIs this rule grants; absent in older snapshots. */
    resourceGlobs: z.array(z.string()).default([]),
    /** `prompts/get` names this rule grants; absent in older snapshots. */
    promptGlobs: z.array(z.string()).default([]),
    /** Calls this rule allows, per principal, on top of the tenant's per-identity limit. */
    rateLimit: z.lazy(() => rateLimitSchema).optional(),
  })
  .refine((r) => [r.apiKeyId, r.scope, r.subject].filter((s) => s !== undefined).length === 1, 'a rule names exactly one of apiKeyId, scope and subject');

/**
 * A deny rule: whoever it selects may not use what its globs match, whatever allow rules say
 * (deny wins). Selectors narrow who it applies to; a rule with none applies to every principal.
 */
export const snapshotDenyRuleSchema = z.object({
  id: z.string(),
  /** For people reading audit trails and diffs; not used in decisions. */
  name: z.string(),
  apiKeyId: z.string().optional(),
  scope: z.string().optional(),
  /** The principal's subject, e.g. a JWT `sub` or `apikey:<key id>`. */
  subject: z.string().optional(),
  toolGlobs: z.array(z.string()),
  resourceGlobs: z.array(z.string()),
  promptGlobs: z.array(z.string()),
});

export const jwtAlgorithms = ['HS256', 'RS256', 'ES256', 'EdDSA'] as const;
export type JwtAlgorithm = (typeof jwtAlgorithms)[number];

/**
 * Known deviations of real identity providers (README "Identity provider profiles"):
 * - `standard`: RFC 8707 audience = this resource's URL; RFC 8414 metadata.
 * - `audience-is-client-id`: the IdP puts the OAuth client id in `aud`; the configured audiences
 *   (client ids) are accepted instead of the resource URL.
 * - `no-resource-parameter`: the IdP rejects RFC 8707 `resource`; the resource URL cannot be in
 *   `aud`, so the configured audiences are accepted, and additionally the resource URL if present.
 * - `oidc-discovery`: no RFC 8414 metadata, only OpenID Connect Discovery; endpoints are found
 *   there when the provider is saved. Audience as `standard`.
 */
export const identityProviderProfiles = ['standard', 'audience-is-client-id', 'no-resource-parameter', 'oidc-discovery'] as const;
export type IdentityProviderProfile = (typeof identityProviderProfiles)[number];

/** Where a client certificate's identity is read from. */
export const certificateIdentitySources = ['subject-cn', 'san-uri', 'san-dns', 'san-email'] as const;
export type CertificateIdentitySource = (typeof certificateIdentitySources)[number];

/** A tenant's identity provider, tried in `position` order by the proxy (DESIGN.md §5). */
export const snapshotIdentityProviderSchema = z.object({
  id: z.string(),
  name: z.string(),
  /**
   * `jwt`: self-contained tokens checked against `audiences`; `oauth`: an OAuth 2.1 authorization
   * server whose tokens must name this resource (RFC 8707); `mtls`: client certificates issued by
   * `clientCa` (the token fields are unused).
   */
  kind: z.enum(['jwt', 'oauth', 'mtls']),
  position: z.number().int(),
  issuer: z.string(),
  audiences: z.array(z.string()),
  algorithms: z.array(z.enum(jwtAlgorithms)),
  jwksUri: z.url().nullable(),
  /** Inline public keys (RS256/ES256/EdDSA) as a JWK Set. */
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).nullable(),
  /**
   * HS256 shared secret (base64url), sealed for proxies with the snapshot secrets key
   * (see identity-provider-secrets.ts): the snapshot is signed, not encrypted, and crosses Redis.
   */
  hmacSecretSealed: z.string().nullable(),
  clockSkewSeconds: z.number().int().min(0),
  subjectClaim: z.string(),
  scopeClaim: z.string(),
  /** RFC 7662 introspection for opaque tokens (kind `oauth`). */
  introspection: z.object({ url: z.url(), clientId: z.string(), clientSecretSealed: z.string() }).nullable(),
  profile: z.enum(identityProviderProfiles),
  /** kind `mtls`: the tenant's trusted client CA bundle (PEM) and where the identity is read from. */
  clientCa: z
    .object({
      caBundlePem: z.string(),
      identityFrom: z.enum(certificateIdentitySources),
      /** CRLs (PEM) signed by CAs of the bundle; certificates they list are refused. */
      crlPem: z.string().nullable().default(null),
    })
    .nullable(),
});

export const rateLimitSchema = z.object({
  /** Burst size of the per-identity token bucket. */
  capacity: z.number().int().positive(),
  /** Sustained requests per second. */
  refillPerSecond: z.number().positive(),
});

/** Bounds of a tenant's cap on the tool result recorded in a `tool.result` audit event. */
export const MIN_AUDIT_TOOL_RESULT_BYTES = 256;
export const DEFAULT_AUDIT_TOOL_RESULT_BYTES = 8 * 1024;
export const MAX_AUDIT_TOOL_RESULT_BYTES = 64 * 1024;

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
  /**
   * `on`: tool results enter `tool.result` audit events, redacted like the arguments and cut to
   * `auditToolResultMaxBytes`. Absent in snapshots made before the setting existed: off.
   */
  auditToolResults: z.enum(['off', 'on']).default('off'),
  auditToolResultMaxBytes: z.number().int().min(MIN_AUDIT_TOOL_RESULT_BYTES).max(MAX_AUDIT_TOOL_RESULT_BYTES).default(DEFAULT_AUDIT_TOOL_RESULT_BYTES),
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
  /** Absent in snapshots made before deny rules existed. */
  denyRules: z.array(snapshotDenyRuleSchema).default([]),
  identityProviders: z.array(snapshotIdentityProviderSchema).default([]),
  limits: tenantLimitsSchema.extend({ rateLimit: rateLimitSchema }),
  /** Absent: built-in detectors on audit arguments only. */
  redaction: snapshotRedactionSchema.optional(),
  /** Absent: the tenant's events go only to the exporters' own sinks. */
  sinks: z.array(snapshotSinkSchema).optional(),
  /**
   * Browser origins allowed to call this tenant's servers (MCP transports: servers must validate
   * `Origin` against DNS rebinding). Requests without `Origin` (non-browser clients) are unaffected.
   */
  allowedOrigins: z.array(z.string()).default([]),
});

export type TenantSnapshot = z.infer<typeof tenantSnapshotSchema>;
export type SnapshotServer = z.infer<typeof snapshotServerSchema>;
export type SnapshotDenyRule = z.infer<typeof snapshotDenyRuleSchema>;
export type StdioCommand = z.infer<typeof stdioCommandSchema>;
export type SnapshotApiKey = z.infer<typeof snapshotApiKeySchema>;
export type SnapshotToolRule = z.infer<typeof snapshotToolRuleSchema>;
export type SnapshotIdentityProvider = z.infer<typeof snapshotIdentityProviderSchema>;
export type TenantLimits = z.infer<typeof tenantLimitsSchema>;
export type RateLimitConfig = z.infer<typeof rateLimitSchema>;
export type SnapshotRedaction = z.infer<typeof snapshotRedactionSchema>;
/** What compiling takes: the tool-result settings may be left out (off, default cap). */
export type SnapshotRedactionInput = z.input<typeof snapshotRedactionSchema>;
export type SnapshotSink = z.infer<typeof snapshotSinkSchema>;

export const DEFAULT_RATE_LIMIT: RateLimitConfig = { capacity: 100, refillPerSecond: 20 };
