import type { PrismaClient, UpstreamServer } from '@mcpg/db';
import { Inject, Injectable } from '@nestjs/common';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { AdminChangeRecorder } from '../admin-changes/admin-change-recorder.js';
import type { ControlPlaneConfig } from '../config.js';
import { CONTROL_PLANE_CONFIG, PRISMA } from '../control-plane.tokens.js';
import { badUserInput, notFound } from '../errors/admin-error.js';
import { SnapshotPublisherService } from '../snapshots/snapshot-publisher.service.js';
import { parseId, parseInput } from '../validation/parse-input.js';
import { addUpstreamServerSchema } from './server.input.js';
import { stdioCommandOf } from './stdio-command.js';

@Injectable()
export class ServerService {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(SnapshotPublisherService) private readonly snapshots: SnapshotPublisherService,
    @Inject(AdminChangeRecorder) private readonly changes: AdminChangeRecorder,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
  ) {}

  /** Duplicate name within the tenant: CONFLICT; unknown tenant: NOT_FOUND. */
  async add(input: unknown, admin: AdminPrincipal): Promise<UpstreamServer> {
    const { tenantId, name, url, transport, stdio, expectedVersion } = parseInput(addUpstreamServerSchema, input);
    if (transport === 'stdio' && !this.config.allowStdioUpstreams) {
      throw badUserInput('transport', 'stdio upstreams are disabled on this control plane (MCPG_ALLOW_STDIO_UPSTREAMS)');
    }
    // A stdio server has no URL; `stdio:<name>` keeps the column (and snapshot field) meaningful.
    const data = { tenantId, name, url: url ?? `stdio:${name}`, transport, ...(stdio ? { stdio } : {}) };
    const server = await this.snapshots.change(tenantId, (tx) => tx.upstreamServer.create({ data }), { expectedVersion });
    this.changes.record(admin, { action: 'addUpstreamServer', targetType: 'UpstreamServer', targetId: server.id, tenantId, after: withoutEnvValues(server) });
    return server;
  }

  /** Proxies stop routing /t/{tenant}/{name}/mcp once the new snapshot reaches them. */
  async remove(idArg: string, admin: AdminPrincipal): Promise<UpstreamServer> {
    const id = parseId('id', idArg);
    const server = await this.prisma.upstreamServer.findUnique({ where: { id } });
    if (!server) throw notFound('id', 'upstream server');
    await this.snapshots.change(server.tenantId, (tx) => tx.upstreamServer.delete({ where: { id } }));
    this.changes.record(admin, { action: 'removeUpstreamServer', targetType: 'UpstreamServer', targetId: id, tenantId: server.tenantId, before: withoutEnvValues(server) });
    return server;
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

/** Admin change events name a stdio server's environment variables, never their values. */
function withoutEnvValues(server: UpstreamServer): object {
  const command = stdioCommandOf(server);
  return command ? { ...server, stdio: { ...command, env: Object.keys(command.env) } } : server;
}
