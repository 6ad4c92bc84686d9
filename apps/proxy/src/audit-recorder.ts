import { AUDIT_SCHEMA_VERSION, AuditHashChain, uuidv7, type AuditEvent } from '@mcpg/audit';

export interface AuditWriter {
  write(event: AuditEvent): void;
}

/** Fields a caller supplies; identity of this proxy, ids and time are filled in here. */
export type AuditFields = Partial<Omit<AuditEvent, 'schemaVersion' | 'id' | 'time' | 'region' | 'proxyId'>> &
  Pick<AuditEvent, 'kind' | 'decision'>;

/** Builds each event and links it into this proxy's hash chain (tamper evidence, `seq`/`prevHash`). */
export class AuditRecorder {
  private readonly chain = new AuditHashChain();

  constructor(
    private readonly writer: AuditWriter,
    private readonly region: string,
    private readonly proxyId: string,
  ) {}

  record(fields: AuditFields): void {
    const now = Date.now();
    const event: AuditEvent = {
      schemaVersion: AUDIT_SCHEMA_VERSION,
      id: uuidv7(now),
      time: new Date(now).toISOString(),
      region: this.region,
      proxyId: this.proxyId,
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
    this.writer.write(this.chain.link(event));
  }
}
