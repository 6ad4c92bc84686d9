import type { PrismaClient } from '@mcpg/db';
import { Inject, Injectable } from '@nestjs/common';
import { PRISMA } from '../control-plane.tokens.js';
import { notFound } from '../errors/admin-error.js';
import { SortDirection, type Connection, type PageArgs } from '../pagination/connection.model.js';
import { and, paginate } from '../pagination/paginate.js';
import { parseId } from '../validation/parse-input.js';
import type { SnapshotModel } from './snapshot.model.js';

/** Reads the published history; publishing itself is `SnapshotPublisherService`. */
@Injectable()
export class SnapshotService {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  /** One page of a tenant's published versions, newest first. */
  async listForTenant(tenantIdArg: string, page: PageArgs = {}): Promise<Connection<SnapshotModel>> {
    const tenantId = parseId('tenantId', tenantIdArg);
    if (!(await this.prisma.tenant.findUnique({ where: { id: tenantId }, select: { id: true } }))) throw notFound('tenantId', 'tenant');
    return paginate<SnapshotModel & { id: string }, 'version'>(page, {
      field: 'version',
      direction: SortDirection.DESC,
      findMany: (q) => this.prisma.snapshot.findMany({ ...q, where: and({ tenantId }, q.where), select: { id: true, version: true, createdAt: true } }),
      count: () => this.prisma.snapshot.count({ where: { tenantId } }),
    });
  }


  /** 0 only for a tenant that has never been published, which the control plane never leaves behind. */
  async latestVersion(tenantId: string): Promise<number> {
    const latest = await this.prisma.snapshot.aggregate({ where: { tenantId }, _max: { version: true } });
    return latest._max.version ?? 0;
  }
}
