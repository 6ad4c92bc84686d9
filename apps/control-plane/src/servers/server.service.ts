import { randomUUID } from 'node:crypto';
import type { PrismaClient, UpstreamServer } from '@mcpg/db';
import type { SecretsKeyRing } from '@mcpg/policy';
import { Inject, Injectable } from '@nestjs/common';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { AdminChangeRecorder } from '../admin-changes/admin-change-recorder.js';
import type { ControlPlaneConfig } from '../config.js';
import { CONTROL_PLANE_CONFIG, PRISMA } from '../control-plane.tokens.js';
import { badUserInput, notFound } from '../errors/admin-error.js';
import { SnapshotPublisherService } from '../snapshots/snapshot-publisher.service.js';
import { SortDirection, type Connection, type PageArgs } from '../pagination/connection.model.js';
import { and, paginate } from '../pagination/paginate.js';
import { parseId, parseInput } from '../validation/parse-input.js';
import { addUpstreamServerSchema, setUpstreamServerCredentialSchema } from './server.input.js';
import { stdioCommandOf } from './stdio-command.js';
import { NO_CREDENTIAL, storedCredentialColumns } from './stored-credential.js';

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
    const { tenantId, name, url, transport, stdio, credential, expectedVersion } = parseInput(addUpstreamServerSchema, input);
    if (transport === 'stdio' && !this.config.allowStdioUpstreams) {
      throw badUserInput('transport', 'stdio upstreams are disabled on this control plane (MCPG_ALLOW_STDIO_UPSTREAMS)');
    }
    // The id is chosen here because the sealed credential is bound to it.
    const id = randomUUID();
    const credentialColumns = credential ? storedCredentialColumns(this.requireSecretsKey(), id, credential) : {};
    // A stdio server has no URL; `stdio:<name>` keeps the column (and snapshot field) meaningful.
    const data = { id, tenantId, name, url: url ?? `stdio:${name}`, transport, ...(stdio ? { stdio } : {}), ...credentialColumns };
    const server = await this.snapshots.change(tenantId, (tx) => tx.upstreamServer.create({ data }), { expectedVersion });
    this.changes.record(admin, { action: 'addUpstreamServer', targetType: 'UpstreamServer', targetId: server.id, tenantId, after: withoutSecrets(server) });
    return server;
  }

  /** Proxies stop routing /t/{tenant}/{name}/mcp once the new snapshot reaches them. */
  async remove(idArg: string, admin: AdminPrincipal): Promise<UpstreamServer> {
    const id = parseId('id', idArg);
    const server = await this.prisma.upstreamServer.findUnique({ where: { id } });
    if (!server) throw notFound('id', 'upstream server');
    await this.snapshots.change(server.tenantId, (tx) => tx.upstreamServer.delete({ where: { id } }));
    this.changes.record(admin, { action: 'removeUpstreamServer', targetType: 'UpstreamServer', targetId: id, tenantId: server.tenantId, before: withoutSecrets(server) });
    return server;
  }

  /** Sets, replaces or (credential null) removes what the proxy sends to the upstream. */
  async setCredential(input: unknown, admin: AdminPrincipal): Promise<UpstreamServer> {
    const { serverId, credential, expectedVersion } = parseInput(setUpstreamServerCredentialSchema, input);
    const before = await this.prisma.upstreamServer.findUnique({ where: { id: serverId } });
    if (!before) throw notFound('serverId', 'upstream server');
    if (credential && before.transport === 'stdio') throw badUserInput('credential', 'credential: is not for transport "stdio" (it has no headers)');
    const data = credential ? storedCredentialColumns(this.requireSecretsKey(), serverId, credential) : NO_CREDENTIAL;
    const after = await this.snapshots.change(before.tenantId, (tx) => tx.upstreamServer.update({ where: { id: serverId }, data }), { expectedVersion });
    this.changes.record(admin, {
      action: 'setUpstreamServerCredential',
      targetType: 'UpstreamServer',
      targetId: serverId,
      tenantId: before.tenantId,
      before: withoutSecrets(before),
      after: withoutSecrets(after),
    });
    return after;
  }

  private requireSecretsKey(): SecretsKeyRing {
    if (!this.config.upstreamCredentialsKey) throw badUserInput('credential', 'credential: upstream credentials need MCPG_UPSTREAM_CREDENTIALS_KEY on the control plane and the proxies');
    return this.config.upstreamCredentialsKey;
  }

  /** One page of a tenant's servers, by name. */
  async listForTenant(tenantIdArg: string, page: PageArgs = {}): Promise<Connection<UpstreamServer>> {
    const tenantId = parseId('tenantId', tenantIdArg);
    if (!(await this.prisma.tenant.findUnique({ where: { id: tenantId }, select: { id: true } }))) throw notFound('tenantId', 'tenant');
    return paginate(page, {
      field: 'name',
      direction: SortDirection.ASC,
      findMany: (q) => this.prisma.upstreamServer.findMany({ ...q, where: and({ tenantId }, q.where) }),
      count: () => this.prisma.upstreamServer.count({ where: { tenantId } }),
    });
  }

}

/**
 * Admin change events name a stdio server's environment variables, never their values, and say
 * whether there is a credential, never its (even sealed) value.
 */
function withoutSecrets(server: UpstreamServer): object {
  const { credentialSealed, ...rest } = server;
  const shown = { ...rest, hasCredential: credentialSealed !== null };
  const command = stdioCommandOf(server);
  return command ? { ...shown, stdio: { ...command, env: Object.keys(command.env) } } : shown;
}
