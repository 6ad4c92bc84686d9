import { compileGlobList, type GlobMatcher } from './glob.js';
import type { RateLimitConfig, SnapshotApiKey, SnapshotServer, TenantLimits, TenantSnapshot } from './snapshot.js';

export interface CompiledApiKey {
  readonly key: SnapshotApiKey;
  readonly isRevoked: boolean;
  /** Decides tool access for this key; absent rule means default deny. */
  readonly mayCallTool: GlobMatcher;
  /** `resources/read`, `resources/subscribe`: by URI. Templates in lists are matched by their template string. */
  readonly mayReadResource: GlobMatcher;
  readonly mayGetPrompt: GlobMatcher;
  readonly ruleId: string | null;
}

/**
 * A snapshot turned into lookup structures the proxy can use per request without further work:
 * keys by hash (O(1)), servers by path name, tool matchers precompiled.
 */
export interface CompiledPolicy {
  readonly snapshot: TenantSnapshot;
  readonly tenantId: string;
  readonly tenantSlug: string;
  readonly version: number;
  readonly rateLimit: RateLimitConfig;
  readonly limits: TenantLimits;
  /** Exact `Origin` values (scheme://host[:port]) browsers may call from. */
  readonly allowedOrigins: ReadonlySet<string>;
  readonly serversByName: ReadonlyMap<string, SnapshotServer>;
  readonly keysByHash: ReadonlyMap<string, CompiledApiKey>;
}

const denyAll: GlobMatcher = () => false;

export function compilePolicy(snapshot: TenantSnapshot): CompiledPolicy {
  const rulesByKey = new Map(snapshot.rules.map((r) => [r.apiKeyId, r]));
  const keysByHash = new Map<string, CompiledApiKey>();
  for (const key of snapshot.apiKeys) {
    const rule = rulesByKey.get(key.id);
    keysByHash.set(key.hash, {
      key,
      isRevoked: key.revokedAt !== null,
      mayCallTool: rule ? compileGlobList(rule.toolGlobs) : denyAll,
      mayReadResource: rule ? compileGlobList(rule.resourceGlobs) : denyAll,
      mayGetPrompt: rule ? compileGlobList(rule.promptGlobs) : denyAll,
      ruleId: rule?.id ?? null,
    });
  }
  return {
    snapshot,
    tenantId: snapshot.tenantId,
    tenantSlug: snapshot.tenantSlug,
    version: snapshot.version,
    rateLimit: snapshot.limits.rateLimit,
    limits: snapshot.limits,
    allowedOrigins: new Set(snapshot.allowedOrigins),
    serversByName: new Map(snapshot.servers.map((s) => [s.name, s])),
    keysByHash,
  };
}

export interface ToolDecision {
  readonly isAllowed: boolean;
  /** The rule that allowed, or null when the default deny decided. */
  readonly ruleId: string | null;
  readonly reason: 'rule_allows' | 'no_matching_rule';
}

export function decideToolCall(key: CompiledApiKey, toolName: string): ToolDecision {
  return decide(key, key.mayCallTool, toolName);
}

export function decideResourceRead(key: CompiledApiKey, uri: string): ToolDecision {
  return decide(key, key.mayReadResource, uri);
}

export function decidePromptGet(key: CompiledApiKey, promptName: string): ToolDecision {
  return decide(key, key.mayGetPrompt, promptName);
}

function decide(key: CompiledApiKey, matcher: GlobMatcher, name: string): ToolDecision {
  if (matcher(name)) return { isAllowed: true, ruleId: key.ruleId, reason: 'rule_allows' };
  return { isAllowed: false, ruleId: null, reason: 'no_matching_rule' };
}
