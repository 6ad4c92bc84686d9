import { AUDIT_SCHEMA_VERSION, type AuditEvent } from './audit-event.js';
import { uuidv7 } from './uuidv7.js';

/** What the producer of an event states; ids, time and the empty optional facts are filled in. */
export type AuditEventFields = Partial<Omit<AuditEvent, 'schemaVersion' | 'id' | 'time'>> &
  Pick<AuditEvent, 'kind' | 'decision' | 'region' | 'proxyId'>;

/** One complete event of the current schema: a fresh UUIDv7, the time now, and null for every fact not given. */
export function newAuditEvent(fields: AuditEventFields, nowMs: number = Date.now()): AuditEvent {
  return {
    schemaVersion: AUDIT_SCHEMA_VERSION,
    id: uuidv7(nowMs),
    time: new Date(nowMs).toISOString(),
    tenantId: null,
    principal: null,
    server: null,
    method: null,
    rpcId: null,
    tool: null,
    reason: null,
    ruleId: null,
    snapshotVersion: null,
    status: null,
    latencyMs: null,
    bytesIn: null,
    bytesOut: null,
    traceId: null,
    sourceIp: null,
    ...fields,
  };
}
