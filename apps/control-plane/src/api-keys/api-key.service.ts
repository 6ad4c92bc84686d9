import type { ApiKey, PrismaClient, ToolRule } from '@mcpg/db';
import { generateApiKey } from '@mcpg/auth';
import { Inject, Injectable } from '@nestjs/common';
import { PRISMA } from '../control-plane.tokens.js';
import { notFound } from '../errors/admin-error.js';
import { SnapshotPublisherService } from '../snapshots/snapshot-publisher.service.js';
import { parseId, parseInput } from '../validation/parse-input.js';
import { createApiKeySchema } from './api-key.input.js';
import type { ApiKeyModel, CreatedApiKeyModel } from './api-key.model.js';

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
    toolGlobs: row.toolRule?.toolGlobs ?? [],
  };
}

@Injectable()
export class ApiKeyService {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(SnapshotPublisherService) private readonly snapshots: SnapshotPublisherService,
  ) {}

  /** The secret exists only in this method's result; the database gets its hash and display prefix. */
  async create(input: unknown): Promise<CreatedApiKeyModel> {
    const { tenantId, name } = parseInput(createApiKeySchema, input);
    const { secret, prefix, hash } = generateApiKey();
    const row = await this.snapshots.change(tenantId, (tx) =>
      tx.apiKey.create({ data: { tenantId, name, prefix, hash }, include: { toolRule: true } }),
    );
    return { apiKey: toApiKeyModel(row), secret };
  }

  /** Idempotent: revoking a revoked key returns it unchanged and publishes nothing. */
  async revoke(idArg: string): Promise<ApiKeyModel> {
    const id = parseId('id', idArg);
    const key = await this.prisma.apiKey.findUnique({ where: { id }, include: { toolRule: true } });
    if (!key) throw notFound('id', 'API key');
    if (key.revokedAt) return toApiKeyModel(key);
    const row = await this.snapshots.change(key.tenantId, (tx) =>
      tx.apiKey.update({ where: { id }, data: { revokedAt: new Date() }, include: { toolRule: true } }),
    );
    return toApiKeyModel(row);
  }

  async listForTenant(tenantIdArg: string): Promise<ApiKeyModel[]> {
    const tenantId = parseId('tenantId', tenantIdArg);
    const tenant = await this.prisma.tenant.findUnique({
      where: { id: tenantId },
      select: { apiKeys: { include: { toolRule: true }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] } },
    });
    if (!tenant) throw notFound('tenantId', 'tenant');
    return tenant.apiKeys.map(toApiKeyModel);
  }
}
