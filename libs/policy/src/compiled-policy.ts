import { compileGlobList, type GlobMatcher } from './glob.js';
import type {
  RateLimitConfig,
  SnapshotApiKey,
  SnapshotDenyRule,
  SnapshotServer,
  SnapshotToolRule,
  TenantLimits,
  TenantSnapshot,
} from './snapshot.js';
import type { SecretsKeyRing } from './secret-box.js';
import { openUpstreamCredential, type UpstreamCredentialHeader } from './upstream-credential.js';
import { openIdentityProviderSecrets, type IdentityProviderConfig } from './identity-provider-secrets.js';

/** What a rule can grant: tools by name, resources by URI, prompts by name. */
export type AccessKind = 'tool' | 'resource' | 'prompt';

/** What one principal may use, and which rule decides each use. */
export interface ToolAccess {
  readonly mayCallTool: GlobMatcher;
  /** `resources/read`, `resources/subscribe`: by URI. Templates in lists are matched by their template string. */
  readonly mayReadResource: GlobMatcher;
  readonly mayGetPrompt: GlobMatcher;
  /** The rule that allows `toolName`, or null when none does (default deny). */
  ruleIdFor(toolName: string): string | null;
  /** The rule that allows `name` of `kind`, or null when none does (default deny). */
  ruleIdOf(kind: AccessKind, name: string): string | null;
  /** The deny rule that forbids `name` of `kind`, or null; a deny wins over any allow. */
  denyRuleIdOf?(kind: AccessKind, name: string): string | null;
}

export interface CompiledApiKey extends ToolAccess {
  readonly key: SnapshotApiKey;
  readonly isRevoked: boolean;
  /** Epoch ms after which the key stops working; null = never. */
  readonly expiresAtMs: number | null;
  readonly ruleId: string | null;
}

/** Globs granted to everyone holding a scope. */
export interface CompiledScopeRule {
  readonly ruleId: string;
  readonly mayCallTool: GlobMatcher;
  readonly mayReadResource: GlobMatcher;
  readonly mayGetPrompt: GlobMatcher;
}

/**
 * A snapshot turned into lookup structures the proxy can use per request without further work:
 * keys by hash (O(1)), servers by path name, matchers precompiled.
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
  readonly scopeRules: ReadonlyMap<string, CompiledScopeRule>;
  /** Allow rules of one token subject, by subject. */
  readonly subjectRules: ReadonlyMap<string, CompiledScopeRule>;
  readonly denyRules: readonly CompiledDenyRule[];
  /** Allow rules with a rate limit of their own, by rule id. */
  readonly ruleRateLimits: ReadonlyMap<string, RateLimitConfig>;
  /** In the order the proxy tries them, their secrets opened. */
  readonly identityProviders: readonly IdentityProviderConfig[];
  /** Providers with a secret that did not open (no or wrong key, tampered): used without it. */
  readonly unopenedSecretProviderIds: readonly string[];
  /** Server id → the header the proxy adds to every request to that upstream, opened once here. */
  readonly upstreamCredentials: ReadonlyMap<string, UpstreamCredentialHeader>;
  /** Servers whose credential did not open (no or wrong key, tampered): they get none. */
  readonly unopenedCredentialServerIds: readonly string[];
}

export interface CompilePolicyOptions {
  /** `MCPG_UPSTREAM_CREDENTIALS_KEY`: opens the upstream credentials and identity provider secrets sealed in the snapshot. */
  readonly upstreamCredentialsKey?: SecretsKeyRing | null;
}

/** A deny rule with its selectors and precompiled matchers. */
export interface CompiledDenyRule extends CompiledScopeRule {
  readonly apiKeyId: string | undefined;
  readonly scope: string | undefined;
  readonly subject: string | undefined;
}

/** Who a deny rule is checked against. */
export interface DenySubject {
  readonly apiKeyId?: string | undefined;
  readonly scopes?: readonly string[];
  readonly subject?: string | undefined;
}

const denyAll: GlobMatcher = () => false;

function compileDenyRule(rule: SnapshotDenyRule): CompiledDenyRule {
  return { ...compileRuleMatchers({ ...rule }), apiKeyId: rule.apiKeyId, scope: rule.scope, subject: rule.subject };
}

/** Every selector the rule has must match (AND); a rule without selectors applies to everyone. */
function selects(rule: CompiledDenyRule, who: DenySubject): boolean {
  return (
    (rule.apiKeyId === undefined || rule.apiKeyId === who.apiKeyId) &&
    (rule.scope === undefined || (who.scopes ?? []).includes(rule.scope)) &&
    (rule.subject === undefined || rule.subject === who.subject)
  );
}

/**
 * `access` narrowed by the deny rules that select `who`: a denied name is neither allowed nor
 * listed, and decisions name the deny rule. Without applicable deny rules, `access` unchanged.
 */
export function withDenyRules<T extends ToolAccess>(access: T, denyRules: readonly CompiledDenyRule[], who: DenySubject): T {
  const applicable = denyRules.filter((rule) => selects(rule, who));
  if (applicable.length === 0) return access;
  const denyRuleIdOf = (kind: AccessKind, name: string) => applicable.find((r) => matcherOf(r, kind)(name))?.ruleId ?? null;
  const allowed = (kind: AccessKind, name: string) => denyRuleIdOf(kind, name) === null && matcherOf(access, kind)(name);
  return {
    ...access,
    mayCallTool: (name: string) => allowed('tool', name),
    mayReadResource: (uri: string) => allowed('resource', uri),
    mayGetPrompt: (name: string) => allowed('prompt', name),
    ruleIdFor: (name: string) => (denyRuleIdOf('tool', name) === null ? access.ruleIdFor(name) : null),
    ruleIdOf: (kind: AccessKind, name: string) => (denyRuleIdOf(kind, name) === null ? access.ruleIdOf(kind, name) : null),
    denyRuleIdOf,
  };
}

function compileRuleMatchers(rule: SnapshotToolRule): CompiledScopeRule {
  return {
    ruleId: rule.id,
    mayCallTool: compileGlobList(rule.toolGlobs),
    mayReadResource: compileGlobList(rule.resourceGlobs),
    mayGetPrompt: compileGlobList(rule.promptGlobs),
  };
}

function matcherOf(rule: Pick<ToolAccess, 'mayCallTool' | 'mayReadResource' | 'mayGetPrompt'>, kind: AccessKind): GlobMatcher {
  return kind === 'tool' ? rule.mayCallTool : kind === 'resource' ? rule.mayReadResource : rule.mayGetPrompt;
}

/** Access granted by a set of rules: the union of their globs; the first rule that matches decides. */
function accessFromRules(rules: readonly CompiledScopeRule[]): ToolAccess {
  if (rules.length === 0) {
    return { mayCallTool: denyAll, mayReadResource: denyAll, mayGetPrompt: denyAll, ruleIdFor: () => null, ruleIdOf: () => null };
  }
  const ruleIdOf = (kind: AccessKind, name: string) => rules.find((r) => matcherOf(r, kind)(name))?.ruleId ?? null;
  if (rules.length === 1) {
    const [only] = rules as [CompiledScopeRule];
    return { ...only, ruleIdFor: (name) => ruleIdOf('tool', name), ruleIdOf };
  }
  return {
    mayCallTool: (name) => ruleIdOf('tool', name) !== null,
    mayReadResource: (uri) => ruleIdOf('resource', uri) !== null,
    mayGetPrompt: (name) => ruleIdOf('prompt', name) !== null,
    ruleIdFor: (name) => ruleIdOf('tool', name),
    ruleIdOf,
  };
}

export function compilePolicy(snapshot: TenantSnapshot, options: CompilePolicyOptions = {}): CompiledPolicy {
  const rulesByKey = new Map<string, CompiledScopeRule>();
  const scopeRules = new Map<string, CompiledScopeRule>();
  const subjectRules = new Map<string, CompiledScopeRule>();
  for (const rule of snapshot.rules) {
    if (rule.apiKeyId !== undefined) rulesByKey.set(rule.apiKeyId, compileRuleMatchers(rule));
    else if (rule.scope !== undefined) scopeRules.set(rule.scope, compileRuleMatchers(rule));
    else if (rule.subject !== undefined) subjectRules.set(rule.subject, compileRuleMatchers(rule));
  }
  const denyRules = snapshot.denyRules.map(compileDenyRule);
  const keysByHash = new Map<string, CompiledApiKey>();
  for (const key of snapshot.apiKeys) {
    const rule = rulesByKey.get(key.id);
    const compiled: CompiledApiKey = {
      ...accessFromRules(rule ? [rule] : []),
      key,
      isRevoked: key.revokedAt !== null,
      expiresAtMs: key.expiresAt ? Date.parse(key.expiresAt) : null,
      ruleId: rule?.ruleId ?? null,
    };
    // Precomputed per key, so the request path does no selector work for API keys.
    keysByHash.set(key.hash, withDenyRules(compiled, denyRules, { apiKeyId: key.id, subject: `apikey:${key.id}` }));
  }
  const upstreamCredentials = new Map<string, UpstreamCredentialHeader>();
  const unopenedCredentialServerIds: string[] = [];
  for (const server of snapshot.servers) {
    if (!server.credential) continue;
    const header = options.upstreamCredentialsKey ? openUpstreamCredential(options.upstreamCredentialsKey, server.credential, snapshot.tenantId, server.id) : null;
    if (header) upstreamCredentials.set(server.id, header);
    else unopenedCredentialServerIds.push(server.id);
  }
  const unopenedSecretProviderIds: string[] = [];
  const identityProviders = snapshot.identityProviders.map((sealed) => {
    const { provider, isSealedSecretUnopened } = openIdentityProviderSecrets(options.upstreamCredentialsKey ?? null, snapshot.tenantId, sealed);
    if (isSealedSecretUnopened) unopenedSecretProviderIds.push(sealed.id);
    return provider;
  });
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
    scopeRules,
    subjectRules,
    denyRules,
    ruleRateLimits: new Map(snapshot.rules.flatMap((rule) => (rule.rateLimit ? [[rule.id, rule.rateLimit] as const] : []))),
    identityProviders,
    unopenedSecretProviderIds,
    upstreamCredentials,
    unopenedCredentialServerIds,
  };
}

/**
 * The union of the scope rules a token's scopes select (scopes without a rule grant nothing) and
 * the rule of its subject, less what the deny rules selecting this subject or these scopes forbid.
 */
export function toolAccessForScopes(policy: CompiledPolicy, scopes: readonly string[], subject?: string): ToolAccess {
  const rules: CompiledScopeRule[] = [];
  for (const scope of scopes) {
    const rule = policy.scopeRules.get(scope);
    if (rule) rules.push(rule);
  }
  const subjectRule = subject === undefined ? undefined : policy.subjectRules.get(subject);
  if (subjectRule) rules.push(subjectRule);
  return withDenyRules(accessFromRules(rules), policy.denyRules, { scopes, subject });
}

/** Scopes whose rules would allow `toolName`: what a client must ask for to step up (MCP 2025-11-25). */
export function scopesGranting(policy: CompiledPolicy, toolName: string): string[] {
  const scopes: string[] = [];
  for (const [scope, rule] of policy.scopeRules) if (rule.mayCallTool(toolName)) scopes.push(scope);
  return scopes.sort();
}

export interface ToolDecision {
  readonly isAllowed: boolean;
  /** The rule that allowed, or the deny rule that forbade; null when the default deny decided. */
  readonly ruleId: string | null;
  readonly reason: 'rule_allows' | 'no_matching_rule' | 'rule_denies';
}

function decide(access: ToolAccess, kind: AccessKind, name: string): ToolDecision {
  const denyRuleId = access.denyRuleIdOf?.(kind, name) ?? null;
  if (denyRuleId !== null) return { isAllowed: false, ruleId: denyRuleId, reason: 'rule_denies' };
  const ruleId = access.ruleIdOf(kind, name);
  if (ruleId !== null) return { isAllowed: true, ruleId, reason: 'rule_allows' };
  return { isAllowed: false, ruleId: null, reason: 'no_matching_rule' };
}

export function decideToolCall(access: ToolAccess, toolName: string): ToolDecision {
  return decide(access, 'tool', toolName);
}

export function decideResourceRead(access: ToolAccess, uri: string): ToolDecision {
  return decide(access, 'resource', uri);
}

export function decidePromptGet(access: ToolAccess, promptName: string): ToolDecision {
  return decide(access, 'prompt', promptName);
}
