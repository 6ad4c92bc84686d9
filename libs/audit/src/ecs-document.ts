import type { AuditedToolResult, AuditEvent, AuditKind } from './audit-event.js';

/** ECS version the documents follow (https://www.elastic.co/guide/en/ecs/8.11). */
export const ECS_VERSION = '8.11.0';

/** ECS categorization (`event.category`, `event.type`) per audit kind. */
const ecsCategorization: Record<AuditKind, { category: string[]; type: string[] }> = {
  'auth.failure': { category: ['authentication'], type: ['start'] },
  request: { category: ['network', 'web'], type: ['access'] },
  'tool.call': { category: ['network', 'web'], type: ['access', 'allowed'] },
  'tool.denied': { category: ['network', 'web'], type: ['access', 'denied'] },
  'resource.denied': { category: ['network', 'web'], type: ['access', 'denied'] },
  'prompt.denied': { category: ['network', 'web'], type: ['access', 'denied'] },
  rate_limited: { category: ['network', 'web'], type: ['access', 'denied'] },
  'request.invalid': { category: ['network', 'web'], type: ['access', 'denied'] },
  'upstream.error': { category: ['network', 'web'], type: ['error'] },
  'admin.change': { category: ['configuration', 'iam'], type: ['change'] },
  'audit.refused': { category: ['host'], type: ['error'] },
  'tool.result': { category: ['network', 'web'], type: ['info'] },
};

const outcome = { allow: 'success', deny: 'failure', error: 'failure' } as const;

/**
 * Maps an audit event to an Elastic Common Schema document. Fields ECS defines are used where
 * their meaning matches; what ECS has no field for (MCP server, JSON-RPC method, tool, snapshot
 * version, decision) stays under `mcpg.*`, so the document holds the whole event and no field
 * is lost between the JSON Lines file and Elastic.
 */
export function toEcsDocument(event: AuditEvent): Record<string, unknown> {
  const { category, type } = ecsCategorization[event.kind];
  const doc: Record<string, unknown> = {
    '@timestamp': event.time,
    ecs: { version: ECS_VERSION },
    event: {
      id: event.id,
      kind: 'event',
      category,
      type,
      action: event.kind,
      outcome: outcome[event.decision],
      dataset: 'mcpg.audit',
      module: 'mcpg',
      ...(event.reason !== null ? { reason: event.reason } : {}),
      // ECS event.duration is in nanoseconds.
      ...(event.latencyMs !== null ? { duration: Math.round(event.latencyMs * 1_000_000) } : {}),
    },
    observer: { name: event.proxyId, type: 'proxy', vendor: 'MCP Guard' },
    cloud: { region: event.region },
    mcpg: {
      schema_version: event.schemaVersion,
      tenant_id: event.tenantId,
      decision: event.decision,
      server: event.server,
      method: event.method,
      rpc_id: event.rpcId,
      tool: event.tool,
      snapshot_version: event.snapshotVersion,
      principal_via: event.principal?.via ?? null,
      ...(event.redactedCount !== undefined ? { redacted_count: event.redactedCount } : {}),
      ...(event.arguments !== undefined ? { arguments: event.arguments } : {}),
      ...(event.callEventId !== undefined ? { call_event_id: event.callEventId } : {}),
      ...(event.result !== undefined ? { result: ecsResult(event.result) } : {}),
      ...(event.details !== undefined ? { details: event.details } : {}),
      ...(event.prevHash !== undefined ? { prev_hash: event.prevHash, seq: event.seq } : {}),
    },
  };
  if (event.tenantId !== null) doc.organization = { id: event.tenantId };
  if (event.principal) doc.user = { name: event.principal.subject, ...(event.principal.keyId ? { id: event.principal.keyId } : {}) };
  if (event.sourceIp !== null) doc.source = { ip: event.sourceIp, address: event.sourceIp };
  if (event.traceId !== null) doc.trace = { id: event.traceId };
  if (event.ruleId !== null) doc.rule = { id: event.ruleId, ruleset: event.snapshotVersion !== null ? `snapshot-${event.snapshotVersion}` : undefined };
  if (event.status !== null || event.bytesIn !== null || event.bytesOut !== null) {
    doc.http = {
      ...(event.bytesIn !== null ? { request: { bytes: event.bytesIn } } : {}),
      ...(event.status !== null || event.bytesOut !== null
        ? { response: { ...(event.status !== null ? { status_code: event.status } : {}), ...(event.bytesOut !== null ? { bytes: event.bytesOut } : {}) } }
        : {}),
    };
  }
  return doc;
}

/** `mcpg.result`: the audited tool result in the document's snake_case. */
function ecsResult(result: AuditedToolResult): Record<string, unknown> {
  return {
    is_error: result.isError,
    content: result.content,
    ...(result.structuredContent !== undefined ? { structured_content: result.structuredContent } : {}),
    truncated: result.truncated,
  };
}
