import { AUDIT_SCHEMA_VERSION, type AuditEvent } from './audit-event.js';
import { uuidv7 } from './uuidv7.js';

/** One admin mutation, as the control plane records it (DESIGN.md §8: every mutation is audited). */
export interface AdminChange {
  /** Who: e.g. `{ subject: 'bootstrap', via: 'bootstrap_token' }` or an OIDC subject. */
  actor: { subject: string; via: string };
  /** The GraphQL mutation, e.g. `createApiKey`, `setToolRule`. */
  action: string;
  /** What was changed. */
  target: { type: string; id: string | null };
  /** The tenant the change belongs to; null for platform-wide changes. */
  tenantId: string | null;
  /** Outcome: applied, refused by validation/authorization, or failed. */
  decision: 'allow' | 'deny' | 'error';
  /** Error code when not applied (`BAD_USER_INPUT`, `FORBIDDEN`, …). */
  reason?: string | null;
  /** Snapshot version the change produced, when it published one. */
  snapshotVersion?: number | null;
  region: string;
  /** Control-plane instance id, recorded as `proxyId` (the producer of the event). */
  instanceId: string;
  sourceIp?: string | null;
  traceId?: string | null;
  /** Non-secret facts of the change (field names, counts). Never a secret or a key. */
  details?: Record<string, unknown>;
}

/**
 * Builds an `admin.change` audit event for the same pipeline as the proxies' events (write it
 * with an `AuditQueueWriter`). The actor goes into `principal`, the mutation into `method`.
 */
export function adminChangeEvent(change: AdminChange, now: number = Date.now()): AuditEvent {
  return {
    schemaVersion: AUDIT_SCHEMA_VERSION,
    id: uuidv7(now),
    time: new Date(now).toISOString(),
    tenantId: change.tenantId,
    region: change.region,
    proxyId: change.instanceId,
    kind: 'admin.change',
    principal: { subject: change.actor.subject, via: change.actor.via },
    server: null,
    method: change.action,
    rpcId: null,
    tool: null,
    decision: change.decision,
    reason: change.reason ?? null,
    ruleId: null,
    snapshotVersion: change.snapshotVersion ?? null,
    status: null,
    latencyMs: null,
    bytesIn: null,
    bytesOut: null,
    traceId: change.traceId ?? null,
    sourceIp: change.sourceIp ?? null,
    details: { targetType: change.target.type, targetId: change.target.id, ...change.details },
  };
}
