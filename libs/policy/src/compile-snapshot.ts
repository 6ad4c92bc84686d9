import {
  DEFAULT_AUDIT_TOOL_RESULT_BYTES,
  DEFAULT_RATE_LIMIT,
  SNAPSHOT_SCHEMA_VERSION,
  type RateLimitConfig,
  type SnapshotRedactionInput,
  type SnapshotSink,
  type SnapshotToolRule,
  type StdioCommand,
  type TenantLimits,
  type TenantSnapshot,
} from './snapshot.js';
import { sealIdentityProviderSecrets, type IdentityProviderConfig } from './identity-provider-secrets.js';
import type { SecretsKeyRing } from './secret-box.js';
import type { SnapshotUpstreamCredential } from './upstream-credential.js';

/** The editable model of one tenant as the control plane stores it (shape-compatible with Prisma rows). */
export interface TenantModel {
  tenant: { id: string; slug: string };
  servers: ReadonlyArray<{ id: string; name: string; url: string; transport?: string; stdio?: StdioCommand | null; credential?: SnapshotUpstreamCredential | null }>;
  apiKeys: ReadonlyArray<{ id: string; name: string; prefix: string; hash: string; revokedAt: Date | null; expiresAt?: Date | null }>;
  /** A rule names an API key, a scope or a subject (see `snapshotToolRuleSchema`). */
  toolRules: ReadonlyArray<{
    id: string;
    apiKeyId: string | null;
    scope?: string | null;
    subject?: string | null;
    toolGlobs: readonly string[];
    resourceGlobs?: readonly string[];
    promptGlobs?: readonly string[];
    rateLimitCapacity?: number | null;
    rateLimitRefillPerSecond?: number | null;
  }>;
  /** Deny rules; each may select by key, scope and/or subject (none: everyone). */
  denyRules?: ReadonlyArray<{
    id: string;
    name: string;
    apiKeyId: string | null;
    scope: string | null;
    subject: string | null;
    toolGlobs: readonly string[];
    resourceGlobs: readonly string[];
    promptGlobs: readonly string[];
  }>;
  /** With their secrets in clear; compileSnapshot seals them (see CompileSnapshotOptions). */
  identityProviders?: readonly IdentityProviderConfig[];
  rateLimit?: RateLimitConfig;
  /** Per-tenant overrides of the proxy's default limits. */
  limits?: TenantLimits;
  allowedOrigins?: readonly string[];
  redaction?: SnapshotRedactionInput | null;
  sinks?: ReadonlyArray<SnapshotSink>;
}

export interface CompileSnapshotOptions {
  /**
   * `MCPG_UPSTREAM_CREDENTIALS_KEY`: seals identity provider secrets into the snapshot (the same
   * text for the same secret, so recompiling does not change the snapshot). Without it, a model
   * whose providers have secrets does not compile (MissingSnapshotSecretsKeyError).
   */
  readonly secretsKey?: SecretsKeyRing | null;
}

/**
 * Turns a tenant's model into the document proxies enforce. Output is sorted so that the same
 * model always compiles to the same content (diffs between versions stay meaningful).
 */
export function compileSnapshot(model: TenantModel, version: number, now: Date = new Date(), options: CompileSnapshotOptions = {}): TenantSnapshot {
  const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    tenantId: model.tenant.id,
    tenantSlug: model.tenant.slug,
    version,
    createdAt: now.toISOString(),
    servers: [...model.servers].sort(byId).map((s) => ({
      id: s.id,
      name: s.name,
      url: s.url,
      transport: transportOf(s.transport),
      ...(s.stdio ? { stdio: s.stdio } : {}),
      ...(s.credential ? { credential: s.credential } : {}),
    })),
    apiKeys: [...model.apiKeys].sort(byId).map((k) => ({
      id: k.id,
      name: k.name,
      prefix: k.prefix,
      hash: k.hash,
      revokedAt: k.revokedAt ? k.revokedAt.toISOString() : null,
      expiresAt: k.expiresAt ? k.expiresAt.toISOString() : null,
    })),
    rules: [...model.toolRules].sort(byId).map(compileRule),
    denyRules: [...(model.denyRules ?? [])].sort(byId).map((r) => ({
      id: r.id,
      name: r.name,
      ...(r.apiKeyId ? { apiKeyId: r.apiKeyId } : {}),
      ...(r.scope ? { scope: r.scope } : {}),
      ...(r.subject ? { subject: r.subject } : {}),
      toolGlobs: [...r.toolGlobs].sort(),
      resourceGlobs: [...r.resourceGlobs].sort(),
      promptGlobs: [...r.promptGlobs].sort(),
    })),
    identityProviders: [...(model.identityProviders ?? [])]
      .sort((a, b) => a.position - b.position || byId(a, b))
      .map((p) => sealIdentityProviderSecrets(options.secretsKey ?? null, model.tenant.id, { ...p, audiences: [...p.audiences], algorithms: [...p.algorithms].sort() })),
    limits: { ...model.limits, rateLimit: model.rateLimit ?? DEFAULT_RATE_LIMIT },
    allowedOrigins: [...(model.allowedOrigins ?? [])].sort(),
    ...(model.redaction
      ? {
          redaction: {
            customPatterns: [...model.redaction.customPatterns].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((p) => ({ name: p.name, pattern: p.pattern })),
            redactResponses: model.redaction.redactResponses,
            argumentValues: model.redaction.argumentValues,
            auditToolResults: model.redaction.auditToolResults ?? 'off',
            auditToolResultMaxBytes: model.redaction.auditToolResultMaxBytes ?? DEFAULT_AUDIT_TOOL_RESULT_BYTES,
          },
        }
      : {}),
    ...(model.sinks?.length ? { sinks: [...model.sinks].sort(byId).map((sink) => ({ ...sink })) } : {}),
  };
}

function compileRule(r: TenantModel['toolRules'][number]): SnapshotToolRule {
  const globs = {
    toolGlobs: [...r.toolGlobs].sort(),
    resourceGlobs: [...(r.resourceGlobs ?? [])].sort(),
    promptGlobs: [...(r.promptGlobs ?? [])].sort(),
    ...(r.rateLimitCapacity != null && r.rateLimitRefillPerSecond != null
      ? { rateLimit: { capacity: r.rateLimitCapacity, refillPerSecond: r.rateLimitRefillPerSecond } }
      : {}),
  };
  if (r.apiKeyId) return { id: r.id, apiKeyId: r.apiKeyId, ...globs };
  if (r.scope) return { id: r.id, scope: r.scope, ...globs };
  if (r.subject) return { id: r.id, subject: r.subject, ...globs };
  throw new Error(`tool rule ${r.id} names neither an API key, a scope nor a subject`);
}

/** Validated on input; anything unknown is treated as the default transport. */
function transportOf(value: string | undefined): 'streamable-http' | 'sse' | 'stdio' {
  return value === 'sse' || value === 'stdio' ? value : 'streamable-http';
}
