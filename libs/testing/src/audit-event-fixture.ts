import { uuidv7, type AuditEvent } from '@mcpg/audit';

/** A valid audit event for tests of anything that produces or consumes audit events. */
export function auditEventFixture(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    schemaVersion: 1,
    id: uuidv7(),
    time: '2026-03-01T12:00:00.250Z',
    tenantId: 'tenant-a',
    region: 'eu-1',
    proxyId: 'proxy-eu-1a',
    kind: 'tool.call',
    principal: { subject: 'ci-bot', via: 'apikey', keyId: 'key-1' },
    server: 'everything',
    method: 'tools/call',
    rpcId: 7,
    tool: 'echo',
    decision: 'allow',
    reason: null,
    ruleId: 'rule-1',
    snapshotVersion: 3,
    status: 200,
    latencyMs: 4.2,
    bytesIn: 120,
    bytesOut: 340,
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    sourceIp: '127.0.0.1',
    ...overrides,
  };
}
