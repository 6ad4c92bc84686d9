import type { ApiKey, PrismaClient, ToolRule } from '@mcpg/db';
import { generateApiKey } from '@mcpg/auth';
import { Inject, Injectable } from '@nestjs/common';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { AdminChangeRecorder } from '../admin-changes/admin-change-recorder.js';
import { PRISMA } from '../control-plane.tokens.js';
import { badUserInput, notFound } from '../errors/admin-error.js';
import { SnapshotPublisherService } from '../snapshots/snapshot-publisher.service.js';
import { SortDirection, type Connection, type PageArgs } from '../pagination/connection.model.js';
import { and, mapConnection, paginate } from '../pagination/paginate.js';
import { parseId, parseInput } from '../validation/parse-input.js';
import { createApiKeySchema, rotateApiKeySchema, type ApiKeyFilter } from './api-key.input.js';
import type { ApiKeyModel, CreatedApiKeyModel, RotatedApiKeyModel } from './api-key.model.js';

type ApiKeyRow = ApiKey & { toolRule: ToolRule | null };

/** Picks the displayable fields; the hash stays in the database and the snapshot. */
function toApiKeyModel(row: ApiKeyRow): ApiKeyModel {
  return {
    id: row.id,
    tenantId: row.tenantId,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.createdAt,
    revokedAt: row.revokedAt,
    expiresAt: row.expiresAt,
    replacedById: row.replacedById,
    toolGlobs: row.toolRule?.toolGlobs ?? [],
  };
}

@Injectable()
export class ApiKeyService {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(SnapshotPublisherService) private readonly snapshots: SnapshotPublisherService,
    @Inject(AdminChangeRecorder) private readonly changes: AdminChangeRecorder,
  ) {}

  /** The secret exists only in this method's result; the database gets its hash and display prefix. */
  async create(input: unknown, admin: AdminPrincipal): Promise<CreatedApiKeyModel> {
    const { tenantId, name, expiresAt, expectedVersion } = parseInput(createApiKeySchema, input);
    const { secret, prefix, hash } = generateApiKey();
    const row = await this.snapshots.change(
      tenantId,
      (tx) => tx.apiKey.create({ data: { tenantId, name, prefix, hash, expiresAt: expiresAt ?? null }, include: { toolRule: true } }),
      { expectedVersion },
    );
    const apiKey = toApiKeyModel(row);
    this.changes.record(admin, { action: 'createApiKey', targetType: 'ApiKey', targetId: row.id, tenantId, after: apiKey });
    return { apiKey, secret };
  }

  /**
   * Rotation with overlap: a new key (same name, same tool globs) is created and the old one is
   * set to expire at `oldKeyExpiresAt`, so clients can switch over before the old one stops
   * working. Both changes reach proxies in one snapshot.
   */
  async rotate(input: unknown, admin: AdminPrincipal): Promise<RotatedApiKeyModel> {
    const { id, oldKeyExpiresAt, expiresAt } = parseInput(rotateApiKeySchema, input);
    const old = await this.prisma.apiKey.findUnique({ where: { id }, include: { toolRule: true } });
    if (!old) throw notFound('id', 'API key');
    if (old.revokedAt) throw badUserInput('id', 'a revoked key cannot be rotated');
    if (old.replacedById) throw badUserInput('id', 'this key has already been rotated');
    if (old.expiresAt && old.expiresAt <= new Date()) throw badUserInput('id', 'an expired key cannot be rotated');
    const overlapEnd = old.expiresAt && old.expiresAt < oldKeyExpiresAt ? old.expiresAt : oldKeyExpiresAt;
    const newExpiry = expiresAt ?? (old.expiresAt && old.expiresAt > overlapEnd ? old.expiresAt : null);
    const { secret, prefix, hash } = generateApiKey();
    const { oldRow, newRow } = await this.snapshots.change(old.tenantId, async (tx) => {
      const created = await tx.apiKey.create({ data: { tenantId: old.tenantId, name: old.name, prefix, hash, expiresAt: newExpiry } });
      if (old.toolRule) {
        await tx.toolRule.create({ data: { tenantId: old.tenantId, apiKeyId: created.id, toolGlobs: old.toolRule.toolGlobs } });
      }
      const oldRow = await tx.apiKey.update({
        where: { id },
        data: { expiresAt: overlapEnd, replacedById: created.id },
        include: { toolRule: true },
      });
      const newRow = await tx.apiKey.findUniqueOrThrow({ where: { id: created.id }, include: { toolRule: true } });
      return { oldRow, newRow };
    });
    const oldKey = toApiKeyModel(oldRow);
    const newKey = toApiKeyModel(newRow);
    this.changes.record(admin, { action: 'rotateApiKey', targetType: 'ApiKey', targetId: id, tenantId: old.tenantId, before: toApiKeyModel(old), after: { oldKey, newKey } });
    return { oldKey, newKey: { apiKey: newKey, secret } };
  }

  /** Idempotent: revoking a revoked key returns it unchanged and publishes nothing. */
  async revoke(idArg: string, admin: AdminPrincipal): Promise<ApiKeyModel> {
    const id = parseId('id', idArg);
    const key = await this.prisma.apiKey.findUnique({ where: { id }, include: { toolRule: true } });
    if (!key) throw notFound('id', 'API key');
    if (key.revokedAt) return toApiKeyModel(key);
    const row = await this.snapshots.change(key.tenantId, (tx) =>
      tx.apiKey.update({ where: { id }, data: { revokedAt: new Date() }, include: { toolRule: true } }),
    );
    this.changes.record(admin, {
      action: 'revokeApiKey',
      targetType: 'ApiKey',
      targetId: id,
      tenantId: key.tenantId,
      before: toApiKeyModel(key),
      after: toApiKeyModel(row),
    });
    return toApiKeyModel(row);
  }

  /** One page of a tenant's keys in creation order, revoked ones included unless filtered out. */
  async listForTenant(tenantIdArg: string, page: PageArgs = {}, filter?: ApiKeyFilter | null): Promise<Connection<ApiKeyModel>> {
    const tenantId = parseId('tenantId', tenantIdArg);
    if (!(await this.prisma.tenant.findUnique({ where: { id: tenantId }, select: { id: true } }))) throw notFound('tenantId', 'tenant');
    const where = {
      tenantId,
      ...(filter?.isRevoked == null ? {} : { revokedAt: filter.isRevoked ? { not: null } : null }),
      ...(filter?.nameContains ? { name: { contains: filter.nameContains, mode: 'insensitive' as const } } : {}),
    };
    const rows = await paginate<ApiKeyRow, 'createdAt'>(page, {
      field: 'createdAt',
      direction: SortDirection.ASC,
      findMany: (q) => this.prisma.apiKey.findMany({ ...q, where: and(where, q.where), include: { toolRule: true } }),
      count: () => this.prisma.apiKey.count({ where }),
    });
    return mapConnection(rows, toApiKeyModel);
  }

}
