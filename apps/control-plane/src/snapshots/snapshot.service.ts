import type { PrismaClient } from '@mcpg/db';
import { Inject, Injectable } from '@nestjs/common';
import { PRISMA } from '../control-plane.tokens.js';
import { notFound } from '../errors/admin-error.js';
import { parseId } from '../validation/parse-input.js';
import type { SnapshotModel } from './snapshot.model.js';

/** Reads the published history; publishing itself is `SnapshotPublisherService`. */
@Injectable()
export class SnapshotService {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  /** Newest first. */
  async listForTenant(tenantIdArg: string): Promise<SnapshotModel[]> {
    const tenantId = parseId('tenantId', tenantIdArg);
    const tenant = await this.prisma.tenant.findUnique({
      where: { id: tenantId },
      select: { snapshots: { select: { version: true, createdAt: true }, orderBy: { version: 'desc' } } },
    });
    if (!tenant) throw notFound('tenantId', 'tenant');
    return tenant.snapshots;
  }

  /** 0 only for a tenant that has never been published, which the control plane never leaves behind. */
  async latestVersion(tenantId: string): Promise<number> {
    const latest = await this.prisma.snapshot.aggregate({ where: { tenantId }, _max: { version: true } });
    return latest._max.version ?? 0;
  }
}
