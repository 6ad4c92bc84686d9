import { Prisma, type PrismaClient } from '@mcpg/db';
import { describeSnapshotChanges, diffSnapshots, type TenantSnapshot } from '@mcpg/policy';
import { Inject, Injectable } from '@nestjs/common';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { AdminChangeRecorder } from '../admin-changes/admin-change-recorder.js';
import { PRISMA } from '../control-plane.tokens.js';
import { notFound } from '../errors/admin-error.js';
import type { SnapshotModel } from '../snapshots/snapshot.model.js';
import { SnapshotPublisherService, type Tx } from '../snapshots/snapshot-publisher.service.js';
import { parseId, parseInput } from '../validation/parse-input.js';
import { decodeStoredSnapshot, toChangeModel } from './stored-snapshot.js';
import { rollbackTenantSchema, versionPairSchema } from './version.input.js';
import type { SnapshotDiffModel } from './version.model.js';

/** Snapshot history: readable diffs between versions, and rollback to an earlier version. */
@Injectable()
export class VersionService {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(SnapshotPublisherService) private readonly snapshots: SnapshotPublisherService,
    @Inject(AdminChangeRecorder) private readonly changes: AdminChangeRecorder,
  ) {}

  async diff(tenantIdArg: string, fromVersionArg: number, toVersionArg: number): Promise<SnapshotDiffModel> {
    const tenantId = parseId('tenantId', tenantIdArg);
    const { fromVersion, toVersion } = parseInput(versionPairSchema, { fromVersion: fromVersionArg, toVersion: toVersionArg });
    const from = await this.stored(tenantId, fromVersion, 'fromVersion');
    const to = await this.stored(tenantId, toVersion, 'toVersion');
    const changes = diffSnapshots(from, to);
    return { fromVersion, toVersion, changes: changes.map(toChangeModel), text: describeSnapshotChanges(changes) };
  }

  /**
   * Publishes an earlier version's policy as the next version: its upstream servers and tool
   * rules are restored in the database, so later changes build on the rollback. API keys are
   * credentials, not policy, and stay as they are: a revoked key is never revived, and a key
   * created since has no rule in the old version, so it may call nothing (default deny).
   * Upstream credentials are credentials too and stay as they are, so a credential replaced
   * because it leaked never comes back; a server restored after its removal has none until set.
   */
  async rollback(input: unknown, admin: AdminPrincipal): Promise<SnapshotModel> {
    const { tenantId, toVersion, expectedVersion } = parseInput(rollbackTenantSchema, input);
    const target = await this.stored(tenantId, toVersion, 'toVersion');
    const previous = await this.prisma.snapshot.aggregate({ where: { tenantId }, _max: { version: true } });
    await this.snapshots.change(tenantId, (tx) => restorePolicy(tx, tenantId, target), { expectedVersion });
    const published = await this.prisma.snapshot.findFirstOrThrow({ where: { tenantId }, orderBy: { version: 'desc' } });
    this.changes.record(admin, {
      action: 'rollbackTenant',
      targetType: 'Tenant',
      targetId: tenantId,
      tenantId,
      before: { version: previous._max.version },
      after: { version: published.version, restoredFrom: toVersion },
    });
    return { version: published.version, createdAt: published.createdAt };
  }

  private async stored(tenantId: string, version: number, field: string): Promise<TenantSnapshot> {
    const row = await this.prisma.snapshot.findUnique({ where: { tenantId_version: { tenantId, version } } });
    if (!row) throw notFound(field, 'snapshot version');
    return decodeStoredSnapshot(row.jws);
  }
}

async function restorePolicy(tx: Tx, tenantId: string, target: TenantSnapshot): Promise<void> {
  const serverIds = target.servers.map((s) => s.id);
  // Servers that came later go first, so a restored server can take back its name.
  await tx.upstreamServer.deleteMany({ where: { tenantId, id: { notIn: serverIds } } });
  for (const server of target.servers) {
    const fields = { name: server.name, url: server.url, transport: server.transport, stdio: server.stdio ?? Prisma.DbNull };
    await tx.upstreamServer.upsert({ where: { id: server.id }, create: { id: server.id, tenantId, ...fields }, update: fields });
  }
  await tx.toolRule.deleteMany({ where: { tenantId } });
  const keyIds = new Set((await tx.apiKey.findMany({ where: { tenantId }, select: { id: true } })).map((k) => k.id));
  for (const rule of target.rules) {
    if (rule.apiKeyId !== undefined) {
      if (!keyIds.has(rule.apiKeyId)) continue; // the key was deleted since; nothing to restore it to
      await tx.toolRule.create({ data: { id: rule.id, tenantId, apiKeyId: rule.apiKeyId, ...globsOf(rule), ...rateLimitOf(rule) } });
    } else if (rule.scope !== undefined) {
      await tx.toolRule.create({ data: { id: rule.id, tenantId, scope: rule.scope, ...globsOf(rule), ...rateLimitOf(rule) } });
    } else if (rule.subject !== undefined) {
      await tx.toolRule.create({ data: { id: rule.id, tenantId, subject: rule.subject, ...globsOf(rule), ...rateLimitOf(rule) } });
    }
  }
  await tx.denyRule.deleteMany({ where: { tenantId } });
  for (const rule of target.denyRules) {
    if (rule.apiKeyId !== undefined && !keyIds.has(rule.apiKeyId)) continue; // its key is gone: it would select nobody
    const { id, name, apiKeyId, scope, subject } = rule;
    await tx.denyRule.create({ data: { id, tenantId, name, apiKeyId: apiKeyId ?? null, scope: scope ?? null, subject: subject ?? null, ...globsOf(rule) } });
  }
}

function globsOf(rule: Pick<TenantSnapshot['rules'][number], 'toolGlobs' | 'resourceGlobs' | 'promptGlobs'>) {
  return { toolGlobs: rule.toolGlobs, resourceGlobs: rule.resourceGlobs, promptGlobs: rule.promptGlobs };
}

function rateLimitOf(rule: TenantSnapshot['rules'][number]) {
  return { rateLimitCapacity: rule.rateLimit?.capacity ?? null, rateLimitRefillPerSecond: rule.rateLimit?.refillPerSecond ?? null };
}
