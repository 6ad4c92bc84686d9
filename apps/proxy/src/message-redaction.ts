import type { AuditFields } from './audit-recorder.js';
import type { McpRequestContext, ProxyDeps } from './proxy-deps.js';

/**
 * `tools/call` arguments as they may enter an audit event: through the tenant's audit redactor
 * (built-in detectors, custom patterns, keyed hashing if chosen), never raw.
 */
export function auditedArguments(deps: ProxyDeps, ctx: McpRequestContext, params: unknown): Pick<AuditFields, 'arguments' | 'redactedCount'> {
  const args = (params as { arguments?: unknown } | undefined)?.arguments;
  if (args === undefined) return { redactedCount: 0 };
  const { value, count } = deps.redaction.forPolicy(ctx.policy).audit.redactJson(args);
  if (count > 0) deps.metrics.redactedValues.inc({ where: 'arguments' }, count);
  return { arguments: value, redactedCount: count };
}

/**
 * The hook the response inspector applies to each JSON-RPC message going back to the client, or
 * null when the tenant has not turned response redaction on (the reply then passes untouched).
 * Works per complete message, so a secret split across SSE chunks is seen whole.
 */
export function responseRedaction(deps: ProxyDeps, ctx: Pick<McpRequestContext, 'policy'>): ((message: unknown) => unknown) | null {
  const redactor = deps.redaction.forPolicy(ctx.policy).responses;
  if (!redactor) return null;
  return (message) => {
    const { value, count } = redactor.redactJson(message);
    if (count > 0) deps.metrics.redactedValues.inc({ where: 'response' }, count);
    return value;
  };
}
