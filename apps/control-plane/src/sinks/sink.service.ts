import { sealSinkSecret, type SinkSecret } from '@mcpg/audit';
import type { AuditSink, PrismaClient } from '@mcpg/db';
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ControlPlaneConfig } from '../config.js';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { AdminChangeRecorder } from '../admin-changes/admin-change-recorder.js';
import { CONTROL_PLANE_CONFIG, PRISMA, SINK_SECRET_STORE } from '../control-plane.tokens.js';
import { badUserInput, notFound } from '../errors/admin-error.js';
import { SnapshotPublisherService } from '../snapshots/snapshot-publisher.service.js';
import { parseId, parseInput } from '../validation/parse-input.js';
import { createAuditSinkSchema, updateAuditSinkSchema } from './sink.input.js';
import { SortDirection, type Connection, type PageArgs } from '../pagination/connection.model.js';
import { and, mapConnection, paginate } from '../pagination/paginate.js';
import type { AuditSinkModel } from './sink.model.js';
import type { SinkSecretStore } from './sink-secret-store.js';

function secretFor(kind: string, secret: string, username: string | null | undefined): SinkSecret {
  if (kind === 'splunk_hec') return { token: secret };
  if (kind === 'webhook') return { hmacSecret: secret };
  return username ? { username, password: secret } : { apiKey: secret };
}

function toModel(row: AuditSink): AuditSinkModel {
  const { sealedSecret: _sealed, ...rest } = row;
  return rest;
}

@Injectable()
export class SinkService {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(SnapshotPublisherService) private readonly snapshots: SnapshotPublisherService,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
    @Inject(SINK_SECRET_STORE) private readonly secrets: SinkSecretStore,
    @Inject(AdminChangeRecorder) private readonly changes: AdminChangeRecorder,
  ) {}

  async list(tenantIdArg: string, page: PageArgs): Promise<Connection<AuditSinkModel>> {
    const tenantId = parseId('tenantId', tenantIdArg);
    if (!(await this.prisma.tenant.findUnique({ where: { id: tenantId }, select: { id: true } }))) throw notFound('tenantId', 'tenant');
    const rows = await paginate<AuditSink, 'name'>(page, {
      field: 'name',
      direction: SortDirection.ASC,
      findMany: (q) => this.prisma.auditSink.findMany({ ...q, where: and({ tenantId }, q.where) }),
      count: () => this.prisma.auditSink.count({ where: { tenantId } }),
    });
    return mapConnection(rows, toModel);
  }

  async create(input: unknown, admin: AdminPrincipal): Promise<AuditSinkModel> {
    const { tenantId, secret, ...fields } = parseInput(createAuditSinkSchema, input);
    const key = this.sealingKey();
    const tenant = await this.prisma.tenant.findUnique({ where: { id: tenantId }, select: { id: true } });
    if (!tenant) throw notFound('tenantId', 'tenant');
    const id = randomUUID();
    const sealedSecret = sealSinkSecret(key, id, secretFor(fields.kind, secret, fields.username));
    // The secret reaches Redis before the snapshot naming the sink, so exporters never see a sink without it.
    await this.secrets.publish(tenantId, id, sealedSecret);
    try {
      const row = await this.snapshots.change(tenantId, (tx) => tx.auditSink.create({ data: { id, tenantId, ...fields, ack: fields.ack ?? false, sealedSecret } }));
      const after = toModel(row);
      this.changes.record(admin, { action: 'createAuditSink', targetType: 'AuditSink', targetId: id, tenantId, before: null, after });
      return after;
    } catch (err) {
      await this.secrets.remove(tenantId, id);
      throw err;
    }
  }

  async update(input: unknown, admin: AdminPrincipal): Promise<AuditSinkModel> {
    const { id, secret, ...fields } = parseInput(updateAuditSinkSchema, input);
    const current = await this.prisma.auditSink.findUnique({ where: { id } });
    if (!current) throw notFound('id', 'audit sink');
    const changes: Record<string, unknown> = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== null));
    if (fields.index === null && current.kind !== 'elastic') changes.index = null;
    if (secret) {
      changes.sealedSecret = sealSinkSecret(this.sealingKey(), id, secretFor(current.kind, secret, current.username));
      changes.secretVersion = current.secretVersion + 1;
      await this.secrets.publish(current.tenantId, id, changes.sealedSecret as string);
    }
    try {
      const row = await this.snapshots.change(current.tenantId, (tx) => tx.auditSink.update({ where: { id }, data: changes }));
      const after = toModel(row);
      this.changes.record(admin, { action: 'updateAuditSink', targetType: 'AuditSink', targetId: id, tenantId: current.tenantId, before: toModel(current), after });
      return after;
    } catch (err) {
      if (secret) await this.secrets.publish(current.tenantId, id, current.sealedSecret);
      throw err;
    }
  }

  async delete(idArg: string, admin: AdminPrincipal): Promise<AuditSinkModel> {
    const id = parseId('id', idArg);
    const current = await this.prisma.auditSink.findUnique({ where: { id } });
    if (!current) throw notFound('id', 'audit sink');
    const row = await this.snapshots.change(current.tenantId, (tx) => tx.auditSink.delete({ where: { id } }));
    await this.secrets.remove(current.tenantId, id);
    const before = toModel(row);
    this.changes.record(admin, { action: 'deleteAuditSink', targetType: 'AuditSink', targetId: id, tenantId: current.tenantId, before, after: null });
    return before;
  }

  private sealingKey(): Buffer {
    if (!this.config.sinkSecretKey) throw badUserInput('secret', 'tenant audit sinks need MCPG_SINK_SECRET_KEY configured on the control plane');
    return this.config.sinkSecretKey;
  }
}
