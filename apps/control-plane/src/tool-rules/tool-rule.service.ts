import type { PrismaClient, ToolRule } from '@mcpg/db';
import { Inject, Injectable } from '@nestjs/common';
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
  ) {}

  /** Replaces the key's globs. An empty list keeps the rule but allows nothing (default deny). */
  async set(input: unknown): Promise<ToolRule> {
    const { apiKeyId, toolGlobs, resourceGlobs, promptGlobs } = parseInput(setToolRuleSchema, input);
    // Resource and prompt globs are left as they are when the caller does not send them.
    const optional = { ...(resourceGlobs ? { resourceGlobs } : {}), ...(promptGlobs ? { promptGlobs } : {}) };
    const key = await this.prisma.apiKey.findUnique({ where: { id: apiKeyId }, select: { tenantId: true } });
    if (!key) throw notFound('apiKeyId', 'API key');
    return this.snapshots.change(key.tenantId, (tx) =>
      tx.toolRule.upsert({
        where: { apiKeyId },
        create: { tenantId: key.tenantId, apiKeyId, toolGlobs, ...optional },
        update: { toolGlobs, ...optional },
      }),
    );
  }
}
