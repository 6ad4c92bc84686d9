import { compileGlobList, type GlobMatcher } from './glob.js';
import type { RateLimitConfig, SnapshotApiKey, SnapshotIdentityProvider, SnapshotServer, TenantSnapshot } from './snapshot.js';

/** What one principal may call: the tool matcher and the rule that decides each tool. */
export interface ToolAccess {
  readonly mayCallTool: GlobMatcher;
  /** The rule that allows `toolName`, or null when none does (default deny). */
  ruleIdFor(toolName: string): string | null;
}

export interface CompiledApiKey extends ToolAccess {
  readonly key: SnapshotApiKey;
  readonly isRevoked: boolean;
  /** Epoch ms after which the key stops working; null = never. */
  readonly expiresAtMs: number | null;
  readonly ruleId: string | null;
}

/** Tool globs granted to everyone holding a scope. */
export interface CompiledScopeRule {
  readonly ruleId: string;
  readonly mayCallTool: GlobMatcher;
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
  readonly serversByName: ReadonlyMap<string, SnapshotServer>;
  readonly keysByHash: ReadonlyMap<string, CompiledApiKey>;
  readonly scopeRules: ReadonlyMap<string, CompiledScopeRule>;
  /** In the order the proxy tries them. */
  readonly identityProviders: readonly SnapshotIdentityProvider[];
}

const denyAll: GlobMatcher = () => false;

export function compilePolicy(snapshot: TenantSnapshot): CompiledPolicy {
  const rulesByKey = new Map<string, (typeof snapshot.rules)[number]>();
  const scopeRules = new Map<string, CompiledScopeRule>();
  for (const rule of snapshot.rules) {
    if (rule.apiKeyId !== undefined) rulesByKey.set(rule.apiKeyId, rule);
    else if (rule.scope !== undefined) scopeRules.set(rule.scope, { ruleId: rule.id, mayCallTool: compileGlobList(rule.toolGlobs) });
  }
  const keysByHash = new Map<string, CompiledApiKey>();
  for (const key of snapshot.apiKeys) {
    const rule = rulesByKey.get(key.id);
    const mayCallTool = rule ? compileGlobList(rule.toolGlobs) : denyAll;
    const ruleId = rule?.id ?? null;
    keysByHash.set(key.hash, {
      key,
      isRevoked: key.revokedAt !== null,
      expiresAtMs: key.expiresAt ? Date.parse(key.expiresAt) : null,
      mayCallTool,
      ruleId,
      ruleIdFor: (name) => (mayCallTool(name) ? ruleId : null),
    });
  }
  return {
    snapshot,
    tenantId: snapshot.tenantId,
    tenantSlug: snapshot.tenantSlug,
    version: snapshot.version,
    rateLimit: snapshot.limits.rateLimit,
    serversByName: new Map(snapshot.servers.map((s) => [s.name, s])),
    keysByHash,
    scopeRules,
    identityProviders: snapshot.identityProviders,
  };
}

/** The union of the scope rules a token's scopes select; scopes without a rule grant nothing. */
export function toolAccessForScopes(policy: CompiledPolicy, scopes: readonly string[]): ToolAccess {
  const rules: CompiledScopeRule[] = [];
  for (const scope of scopes) {
    const rule = policy.scopeRules.get(scope);
    if (rule) rules.push(rule);
  }
  if (rules.length === 0) return { mayCallTool: denyAll, ruleIdFor: () => null };
  const ruleIdFor = (name: string) => rules.find((r) => r.mayCallTool(name))?.ruleId ?? null;
  return { mayCallTool: (name) => ruleIdFor(name) !== null, ruleIdFor };
}

/** Scopes whose rules would allow `toolName`: what a client must ask for to step up (MCP 2025-11-25). */
export function scopesGranting(policy: CompiledPolicy, toolName: string): string[] {
  const scopes: string[] = [];
  for (const [scope, rule] of policy.scopeRules) if (rule.mayCallTool(toolName)) scopes.push(scope);
  return scopes.sort();
}

export interface ToolDecision {
  readonly isAllowed: boolean;
  /** The rule that allowed, or null when the default deny decided. */
  readonly ruleId: string | null;
  readonly reason: 'rule_allows' | 'no_matching_rule';
}

export function decideToolCall(access: ToolAccess, toolName: string): ToolDecision {
  const ruleId = access.ruleIdFor(toolName);
  if (ruleId !== null) return { isAllowed: true, ruleId, reason: 'rule_allows' };
  return { isAllowed: false, ruleId: null, reason: 'no_matching_rule' };
}
