import type { AuditSink } from '@mcpg/db';
import type { SnapshotSink } from '@mcpg/policy';

/** A stored sink as the tenant snapshot carries it: everything but the credentials. */
export function toSnapshotSink(row: AuditSink): SnapshotSink {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as SnapshotSink['kind'],
    url: row.url,
    index: row.index,
    sourcetype: row.sourcetype,
    source: row.source,
    ack: row.ack,
    secretVersion: row.secretVersion,
  };
}
