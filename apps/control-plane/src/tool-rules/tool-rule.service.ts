import type { Prisma, PrismaClient, ToolRule } from '@mcpg/db';
import { diffSnapshots } from '@mcpg/policy';
import { Inject, Injectable } from '@nestjs/common';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { AdminChangeRecorder } from '../admin-changes/admin-change-recorder.js';
import { PRISMA } from '../control-plane.tokens.js';
import { AdminError, notFound } from '../errors/admin-error.js';
import { SnapshotPublisherService, type Tx } from '../snapshots/snapshot-publisher.service.js';
import { decodeStoredSnapshot, displayableSnapshot, toChangeModel } from '../versions/stored-snapshot.js';
import type { PolicyDryRunModel } from '../versions/version.model.js';
import { parseInput } from '../validation/parse-input.js';
import { setScopeToolRuleSchema, setSubjectToolRuleSchema, setToolRuleSchema } from './tool-rule.input.js';

@Injectable()
export class ToolRuleService {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(SnapshotPublisherService) private readonly snapshots: SnapshotPublisherService,
    @Inject(AdminChangeRecorder) private readonly changes: AdminChangeRecorder,
  ) {}

  /** Replaces the key's globs. An empty list keeps the rule but allows nothing (default deny). */
  async set(input: unknown, admin: AdminPrincipal): Promise<ToolRule> {
    const { apiKeyId, expectedVersion, ...globs } = parseInput(setToolRuleSchema, input);
    const key = await this.prisma.apiKey.findUnique({ where: { id: apiKeyId }, select: { tenantId: true, toolRule: true } });
    if (!key) throw notFound('apiKeyId', 'API key');
    const rule = await this.snapshots.change(key.tenantId, (tx) => upsertKeyRule(tx, key.tenantId, apiKeyId, globs), { expectedVersion });
    this.changes.record(admin, { action: 'setToolRule', targetType: 'ToolRule', targetId: rule.id, tenantId: key.tenantId, before: key.toolRule, after: rule });
    return rule;
  }

  /**
   * Validates the change and compiles the snapshot it would publish, without storing or
   * publishing anything. Invalid input comes back as `errors`, not as a GraphQL error.
   */
  async dryRun(input: unknown): Promise<PolicyDryRunModel> {
    let parsed;
    try {
      parsed = parseInput(setToolRuleSchema, input);
    } catch (err) {
      if (!(err instanceof AdminError) || err.code !== 'BAD_USER_INPUT') throw err;
      return { isValid: false, errors: [{ field: err.field ?? 'input', message: err.message }], wouldBeVersion: null, compiled: null, changes: [] };
    }
    const { apiKeyId, expectedVersion: _expected, ...globs } = parsed;
    const key = await this.prisma.apiKey.findUnique({ where: { id: apiKeyId }, select: { tenantId: true } });
    if (!key) throw notFound('apiKeyId', 'API key');
    const { wouldPublish, latestJws } = await this.snapshots.dryRun(key.tenantId, (tx) => upsertKeyRule(tx, key.tenantId, apiKeyId, globs));
    const changes = latestJws ? diffSnapshots(decodeStoredSnapshot(latestJws), wouldPublish) : [];
    return { isValid: true, errors: [], wouldBeVersion: wouldPublish.version, compiled: displayableSnapshot(wouldPublish), changes: changes.map(toChangeModel) };
  }

  /** Replaces the globs granted to every token holding `scope` in the tenant. */
  async setForScope(input: unknown, admin: AdminPrincipal): Promise<ToolRule> {
    const { tenantId, scope, ...globs } = parseInput(setScopeToolRuleSchema, input);
    return this.setForSelector('setScopeToolRule', tenantId, { tenantId_scope: { tenantId, scope } }, { scope }, globs, admin);
  }

  /** Replaces the globs granted to the token principal with `subject` in the tenant. */
  async setForSubject(input: unknown, admin: AdminPrincipal): Promise<ToolRule> {
    const { tenantId, subject, ...globs } = parseInput(setSubjectToolRuleSchema, input);
    return this.setForSelector('setSubjectToolRule', tenantId, { tenantId_subject: { tenantId, subject } }, { subject }, globs, admin);
  }

  private async setForSelector(
    action: 'setScopeToolRule' | 'setSubjectToolRule',
    tenantId: string,
    where: Prisma.ToolRuleWhereUniqueInput,
    selector: { scope: string } | { subject: string },
    globs: RuleGlobs,
    admin: AdminPrincipal,
  ): Promise<ToolRule> {
    const before = await this.prisma.toolRule.findUnique({ where });
    const changed = changedGlobs(globs);
    const rule = await this.snapshots.change(tenantId, (tx) => tx.toolRule.upsert({ where, create: { tenantId, ...selector, ...changed }, update: changed }));
    this.changes.record(admin, { action, targetType: 'ToolRule', targetId: rule.id, tenantId, before, after: rule });
    return rule;
  }
}

interface RuleGlobs {
  toolGlobs: string[];
  resourceGlobs?: string[] | null | undefined;
  promptGlobs?: string[] | null | undefined;
  rateLimit?: { capacity: number; refillPerSecond: number } | null | undefined;
}

/** Resource and prompt globs and the rate limit are left as they are when the caller does not send them; a null rate limit clears it. */
function changedGlobs({ toolGlobs, resourceGlobs, promptGlobs, rateLimit }: RuleGlobs) {
  return {
    toolGlobs,
    ...(resourceGlobs ? { resourceGlobs } : {}),
    ...(promptGlobs ? { promptGlobs } : {}),
    ...(rateLimit === undefined ? {} : { rateLimitCapacity: rateLimit?.capacity ?? null, rateLimitRefillPerSecond: rateLimit?.refillPerSecond ?? null }),
  };
}

function upsertKeyRule(tx: Tx, tenantId: string, apiKeyId: string, globs: RuleGlobs): Promise<ToolRule> {
  const changed = changedGlobs(globs);
  return tx.toolRule.upsert({ where: { apiKeyId }, create: { tenantId, apiKeyId, ...changed }, update: changed });
}
