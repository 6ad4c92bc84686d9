import { AuditHashChain, newAuditEvent, type AuditEvent } from '@mcpg/audit';

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

  /** Returns the event's id, so a later event can refer to it (a `tool.result` to its `tool.call`). */
  record(fields: AuditFields): string {
    const event = newAuditEvent({ ...fields, region: this.region, proxyId: this.proxyId });
    this.writer.write(this.chain.link(event));
    return event.id;
  }
}
