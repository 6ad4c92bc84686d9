import type { AdminToken, PrismaClient } from '@mcpg/db';
import { Inject, Injectable } from '@nestjs/common';
import { assertTenantAccess } from '../admin-auth/access.guard.js';
import { visibleTenantIds, type AdminPrincipal } from '../admin-auth/admin-principal.js';
import { AdminChangeRecorder } from '../admin-changes/admin-change-recorder.js';
import { PRISMA } from '../control-plane.tokens.js';
import { forbidden, notFound } from '../errors/admin-error.js';
import { SortDirection, type Connection, type PageArgs } from '../pagination/connection.model.js';
import { and, mapConnection, paginate } from '../pagination/paginate.js';
import { parseId, parseInput } from '../validation/parse-input.js';
import { generateAdminTokenSecret } from './admin-token-secret.js';
import { createAdminTokenSchema } from './admin-token.input.js';
import { AdminRoleModel, type AdminTokenModel, type CreatedAdminTokenModel } from './admin-token.model.js';

function toModel(row: AdminToken): AdminTokenModel {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role as AdminRoleModel,
    tenantId: row.tenantId,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
  };
}

/**
 * Admin API tokens. Platform admins issue any token; a tenant admin issues tenant-admin or
 * viewer tokens for its own tenant only, so nobody can hand out more than they hold.
 */
@Injectable()
export class AdminTokenService {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(AdminChangeRecorder) private readonly changes: AdminChangeRecorder,
  ) {}

  async create(input: unknown, admin: AdminPrincipal): Promise<CreatedAdminTokenModel> {
    const { name, role, tenantId, expiresAt } = parseInput(createAdminTokenSchema, input);
    if (role === AdminRoleModel.PLATFORM_ADMIN) {
      if (!admin.isPlatformAdmin) throw forbidden('only platform admins may issue platform admin tokens');
    } else {
      assertTenantAccess(admin, tenantId ?? null, 'write', 'tenantId');
    }
    const { secret, prefix, hash } = generateAdminTokenSecret();
    const row = await this.prisma.adminToken.create({
      data: { name, role, tenantId: tenantId ?? null, expiresAt: expiresAt ?? null, prefix, hash, createdBy: admin.subject },
    });
    const adminToken = toModel(row);
    this.changes.record(admin, { action: 'createAdminToken', targetType: 'AdminToken', targetId: row.id, tenantId: row.tenantId, after: adminToken });
    return { adminToken, secret };
  }

  /** Idempotent. A token the admin may not see (another tenant's, or a platform token) is NOT_FOUND. */
  async revoke(idArg: string, admin: AdminPrincipal): Promise<AdminTokenModel> {
    const id = parseId('id', idArg);
    const row = await this.prisma.adminToken.findUnique({ where: { id } });
    if (!row || (row.tenantId === null && !admin.isPlatformAdmin)) throw notFound('id', 'admin token');
    if (row.tenantId !== null) assertTenantAccess(admin, row.tenantId, 'write', 'id');
    if (row.revokedAt) return toModel(row);
    const revoked = await this.prisma.adminToken.update({ where: { id }, data: { revokedAt: new Date() } });
    this.changes.record(admin, {
      action: 'revokeAdminToken',
      targetType: 'AdminToken',
      targetId: id,
      tenantId: row.tenantId,
      before: toModel(row),
      after: toModel(revoked),
    });
    return toModel(revoked);
  }

  /** The tokens the admin may see, oldest first, one page at a time; `tenantId` narrows to one tenant. */
  async list(admin: AdminPrincipal, page: PageArgs, tenantIdArg?: string | null): Promise<Connection<AdminTokenModel>> {
    const tenantId = tenantIdArg ? parseId('tenantId', tenantIdArg) : undefined;
    if (tenantId) assertTenantAccess(admin, tenantId, 'read', 'tenantId');
    const visible = visibleTenantIds(admin);
    const where = tenantId ? { tenantId } : visible === 'all' ? {} : { tenantId: { in: [...visible] } };
    const rows = await paginate<AdminToken, 'createdAt'>(page, {
      field: 'createdAt',
      direction: SortDirection.ASC,
      findMany: (q) => this.prisma.adminToken.findMany({ ...q, where: and(where, q.where) }),
      count: () => this.prisma.adminToken.count({ where }),
    });
    return mapConnection(rows, toModel);
  }

}
