import type { PrismaClient } from '@mcpg/db';
import { DEFAULT_AUDIT_TOOL_RESULT_BYTES } from '@mcpg/policy';
import { Inject, Injectable } from '@nestjs/common';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { AdminChangeRecorder } from '../admin-changes/admin-change-recorder.js';
import { PRISMA } from '../control-plane.tokens.js';
import { notFound } from '../errors/admin-error.js';
import { SnapshotPublisherService } from '../snapshots/snapshot-publisher.service.js';
import { parseId, parseInput } from '../validation/parse-input.js';
import { AuditToolResults, setRedactionSettingsSchema } from './redaction.input.js';
import type { RedactionSettingsModel } from './redaction.model.js';
import { toSnapshotRedaction, type StoredRedaction } from './snapshot-redaction.js';

@Injectable()
export class RedactionService {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(SnapshotPublisherService) private readonly snapshots: SnapshotPublisherService,
    @Inject(AdminChangeRecorder) private readonly changes: AdminChangeRecorder,
  ) {}

  async get(tenantIdArg: string): Promise<RedactionSettingsModel> {
    const tenantId = parseId('tenantId', tenantIdArg);
    const tenant = await this.prisma.tenant.findUnique({ where: { id: tenantId }, select: { redactionSettings: true } });
    if (!tenant) throw notFound('tenantId', 'tenant');
    if (!tenant.redactionSettings) {
      return {
        tenantId,
        redactResponses: false,
        argumentValues: 'redact',
        customPatterns: [],
        auditToolResults: AuditToolResults.OFF,
        auditToolResultMaxBytes: DEFAULT_AUDIT_TOOL_RESULT_BYTES,
        updatedAt: null,
      };
    }
    return toModel(tenant.redactionSettings);
  }

  /** Replaces the settings and publishes the tenant's next snapshot with them. */
  async set(input: unknown, admin: AdminPrincipal): Promise<RedactionSettingsModel> {
    const { tenantId, ...settings } = parseInput(setRedactionSettingsSchema, input);
    const before = await this.get(tenantId);
    const row = await this.snapshots.change(tenantId, (tx) =>
      tx.redactionSettings.upsert({ where: { tenantId }, create: { tenantId, ...settings }, update: settings }),
    );
    const after = toModel(row);
    this.changes.record(admin, { action: 'setRedactionSettings', targetType: 'RedactionSettings', targetId: tenantId, tenantId, before, after });
    return after;
  }
}

function toModel(row: StoredRedaction): RedactionSettingsModel {
  const settings = toSnapshotRedaction(row);
  return {
    tenantId: row.tenantId,
    ...settings,
    auditToolResults: settings.auditToolResults === 'on' ? AuditToolResults.ON : AuditToolResults.OFF,
    updatedAt: row.updatedAt,
  };
}
