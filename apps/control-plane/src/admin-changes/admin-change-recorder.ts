import { hostname } from 'node:os';
import { newAuditEvent, type AdminChange, type AuditQueueWriter } from '@mcpg/audit';
import { Inject, Injectable } from '@nestjs/common';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { ADMIN_AUDIT_WRITER } from '../control-plane.tokens.js';
import { withoutSecrets } from './without-secrets.js';

export interface AdminChangeRecord {
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string | null;
  readonly tenantId: string | null;
  readonly before?: object | null;
  readonly after?: object | null;
}

const PROXY_ID = `control-plane:${hostname()}`;

/**
 * Writes one `admin.change` audit event per successful mutation into the same `audit-export`
 * queue the proxies use (DESIGN.md §7), so admin changes reach the same SIEM. Called after the
 * change committed; `before`/`after` pass through `withoutSecrets` whatever the caller gave.
 */
@Injectable()
export class AdminChangeRecorder {
  constructor(@Inject(ADMIN_AUDIT_WRITER) private readonly writer: AuditQueueWriter) {}

  record(admin: AdminPrincipal, change: AdminChangeRecord): void {
    const detail: AdminChange = {
      action: change.action,
      targetType: change.targetType,
      targetId: change.targetId,
      before: change.before ? (withoutSecrets(change.before) as Record<string, unknown>) : null,
      after: change.after ? (withoutSecrets(change.after) as Record<string, unknown>) : null,
    };
    this.writer.write(
      newAuditEvent({
        tenantId: change.tenantId,
        region: 'control-plane',
        proxyId: PROXY_ID,
        kind: 'admin.change',
        principal: { subject: admin.subject, via: admin.via },
        method: change.action,
        decision: 'allow',
        change: detail,
      }),
    );
  }
}
