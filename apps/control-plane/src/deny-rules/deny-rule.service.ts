import type { DenyRule, PrismaClient } from '@mcpg/db';
import { Inject, Injectable } from '@nestjs/common';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { AdminChangeRecorder } from '../admin-changes/admin-change-recorder.js';
import { PRISMA } from '../control-plane.tokens.js';
import { notFound } from '../errors/admin-error.js';
import { SortDirection, type Connection, type PageArgs } from '../pagination/connection.model.js';
import { and, paginate } from '../pagination/paginate.js';
import { SnapshotPublisherService } from '../snapshots/snapshot-publisher.service.js';
import { parseId, parseInput } from '../validation/parse-input.js';
import { addDenyRuleSchema } from './deny-rule.input.js';

/** Deny rules: compiled into the tenant's snapshot, where they win over every allow rule. */
@Injectable()
export class DenyRuleService {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(SnapshotPublisherService) private readonly snapshots: SnapshotPublisherService,
    @Inject(AdminChangeRecorder) private readonly changes: AdminChangeRecorder,
  ) {}

  async add(input: unknown, admin: AdminPrincipal): Promise<DenyRule> {
    const { tenantId, expectedVersion, apiKeyId, ...rule } = parseInput(addDenyRuleSchema, input);
    if (apiKeyId) {
      // A key of another tenant must look exactly like no key at all.
      const key = await this.prisma.apiKey.findUnique({ where: { id: apiKeyId }, select: { tenantId: true } });
      if (key?.tenantId !== tenantId) throw notFound('apiKeyId', 'API key');
    }
    const created = await this.snapshots.change(
      tenantId,
      (tx) =>
        tx.denyRule.create({
          data: { tenantId, apiKeyId: apiKeyId ?? null, name: rule.name, scope: rule.scope ?? null, subject: rule.subject ?? null, toolGlobs: rule.toolGlobs, resourceGlobs: rule.resourceGlobs, promptGlobs: rule.promptGlobs },
        }),
      { expectedVersion },
    );
    this.changes.record(admin, { action: 'addDenyRule', targetType: 'DenyRule', targetId: created.id, tenantId, after: created });
    return created;
  }

  async remove(idArg: string, admin: AdminPrincipal): Promise<DenyRule> {
    const id = parseId('id', idArg);
    const rule = await this.prisma.denyRule.findUnique({ where: { id } });
    if (!rule) throw notFound('id', 'deny rule');
    await this.snapshots.change(rule.tenantId, (tx) => tx.denyRule.delete({ where: { id } }));
    this.changes.record(admin, { action: 'removeDenyRule', targetType: 'DenyRule', targetId: id, tenantId: rule.tenantId, before: rule });
    return rule;
  }

  async listForTenant(tenantIdArg: string, page: PageArgs): Promise<Connection<DenyRule>> {
    const tenantId = parseId('tenantId', tenantIdArg);
    if (!(await this.prisma.tenant.findUnique({ where: { id: tenantId }, select: { id: true } }))) throw notFound('tenantId', 'tenant');
    return paginate<DenyRule, 'createdAt'>(page, {
      field: 'createdAt',
      direction: SortDirection.ASC,
      findMany: (q) => this.prisma.denyRule.findMany({ ...q, where: and({ tenantId }, q.where) }),
      count: () => this.prisma.denyRule.count({ where: { tenantId } }),
    });
  }
}
