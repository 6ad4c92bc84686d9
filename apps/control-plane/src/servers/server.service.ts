import type { PrismaClient, UpstreamServer } from '@mcpg/db';
import { Inject, Injectable } from '@nestjs/common';
import type { ControlPlaneConfig } from '../config.js';
import { CONTROL_PLANE_CONFIG, PRISMA } from '../control-plane.tokens.js';
import { badUserInput, notFound } from '../errors/admin-error.js';
import { SnapshotPublisherService } from '../snapshots/snapshot-publisher.service.js';
import { parseId, parseInput } from '../validation/parse-input.js';
import { addUpstreamServerSchema } from './server.input.js';

@Injectable()
export class ServerService {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(SnapshotPublisherService) private readonly snapshots: SnapshotPublisherService,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
  ) {}

  /** Duplicate name within the tenant: CONFLICT; unknown tenant: NOT_FOUND. */
  async add(input: unknown): Promise<UpstreamServer> {
    const { tenantId, name, url, transport, stdio } = parseInput(addUpstreamServerSchema, input);
    if (transport === 'stdio' && !this.config.allowStdioUpstreams) {
      throw badUserInput('transport', 'stdio upstreams are disabled on this control plane (MCPG_ALLOW_STDIO_UPSTREAMS)');
    }
    // A stdio server has no URL; `stdio:<name>` keeps the column (and snapshot field) meaningful.
    const data = { tenantId, name, url: url ?? `stdio:${name}`, transport, ...(stdio ? { stdio } : {}) };
    return this.snapshots.change(tenantId, (tx) => tx.upstreamServer.create({ data }));
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
