import type { PrismaClient, ToolRule } from '@mcpg/db';
import { Inject, Injectable } from '@nestjs/common';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { AdminChangeRecorder } from '../admin-changes/admin-change-recorder.js';
import { PRISMA } from '../control-plane.tokens.js';
import { notFound } from '../errors/admin-error.js';
import { SnapshotPublisherService } from '../snapshots/snapshot-publisher.service.js';
import { parseInput } from '../validation/parse-input.js';
import { setToolRuleSchema } from './tool-rule.input.js';

@Injectable()
export class ToolRuleService {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(SnapshotPublisherService) private readonly snapshots: SnapshotPublisherService,
    @Inject(AdminChangeRecorder) private readonly changes: AdminChangeRecorder,
  ) {}

  /** Replaces the key's globs. An empty list keeps the rule but allows nothing (default deny). */
  async set(input: unknown, admin: AdminPrincipal): Promise<ToolRule> {
    const { apiKeyId, toolGlobs, expectedVersion } = parseInput(setToolRuleSchema, input);
    const key = await this.prisma.apiKey.findUnique({ where: { id: apiKeyId }, select: { tenantId: true, toolRule: true } });
    if (!key) throw notFound('apiKeyId', 'API key');
    const rule = await this.snapshots.change(
      key.tenantId,
      (tx) =>
        tx.toolRule.upsert({
          where: { apiKeyId },
          create: { tenantId: key.tenantId, apiKeyId, toolGlobs },
          update: { toolGlobs },
        }),
      { expectedVersion },
    );
    this.changes.record(admin, { action: 'setToolRule', targetType: 'ToolRule', targetId: rule.id, tenantId: key.tenantId, before: key.toolRule, after: rule });
    return rule;
  }
}
