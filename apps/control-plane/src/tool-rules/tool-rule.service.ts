import type { PrismaClient, ToolRule } from '@mcpg/db';
import { Inject, Injectable } from '@nestjs/common';
import { PRISMA } from '../control-plane.tokens.js';
import { notFound } from '../errors/admin-error.js';
import { SnapshotPublisherService } from '../snapshots/snapshot-publisher.service.js';
import { parseInput } from '../validation/parse-input.js';
import { setScopeToolRuleSchema, setToolRuleSchema } from './tool-rule.input.js';

@Injectable()
export class ToolRuleService {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(SnapshotPublisherService) private readonly snapshots: SnapshotPublisherService,
  ) {}

  /** Replaces the key's globs. An empty list keeps the rule but allows nothing (default deny). */
  async set(input: unknown): Promise<ToolRule> {
    const { apiKeyId, toolGlobs } = parseInput(setToolRuleSchema, input);
    const key = await this.prisma.apiKey.findUnique({ where: { id: apiKeyId }, select: { tenantId: true } });
    if (!key) throw notFound('apiKeyId', 'API key');
    return this.snapshots.change(key.tenantId, (tx) =>
      tx.toolRule.upsert({
        where: { apiKeyId },
        create: { tenantId: key.tenantId, apiKeyId, toolGlobs },
        update: { toolGlobs },
      }),
    );
  }

  /** Replaces the globs granted to every token holding `scope` in the tenant. */
  async setForScope(input: unknown): Promise<ToolRule> {
    const { tenantId, scope, toolGlobs } = parseInput(setScopeToolRuleSchema, input);
    return this.snapshots.change(tenantId, (tx) =>
      tx.toolRule.upsert({
        where: { tenantId_scope: { tenantId, scope } },
        create: { tenantId, scope, toolGlobs },
        update: { toolGlobs },
      }),
    );
  }
}
