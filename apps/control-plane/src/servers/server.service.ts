import type { PrismaClient, UpstreamServer } from '@mcpg/db';
import { Inject, Injectable } from '@nestjs/common';
import { PRISMA } from '../control-plane.tokens.js';
import { notFound } from '../errors/admin-error.js';
import { SnapshotPublisherService } from '../snapshots/snapshot-publisher.service.js';
import { parseId, parseInput } from '../validation/parse-input.js';
import { addUpstreamServerSchema } from './server.input.js';

@Injectable()
export class ServerService {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(SnapshotPublisherService) private readonly snapshots: SnapshotPublisherService,
  ) {}

  /** Duplicate name within the tenant: CONFLICT; unknown tenant: NOT_FOUND. */
  async add(input: unknown): Promise<UpstreamServer> {
    const { tenantId, name, url, transport } = parseInput(addUpstreamServerSchema, input);
    return this.snapshots.change(tenantId, (tx) => tx.upstreamServer.create({ data: { tenantId, name, url, transport } }));
  }

  async listForTenant(tenantIdArg: string): Promise<UpstreamServer[]> {
    const tenantId = parseId('tenantId', tenantIdArg);
    const tenant = await this.prisma.tenant.findUnique({
      where: { id: tenantId },
      select: { servers: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] } },
    });
    if (!tenant) throw notFound('tenantId', 'tenant');
    return tenant.servers;
  }
}
