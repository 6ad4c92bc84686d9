import { toolResultExcerpt, type Redactor } from '@mcpg/audit';
import { isRequest, type JsonRpcId, type JsonRpcMessage } from '@mcpg/mcp';
import type { AuditFields } from './audit-recorder.js';
import type { McpRequestContext, ProxyDeps } from './proxy-deps.js';
import { rpcKey } from './rpc-key.js';

interface AwaitedResult {
  rpcId: JsonRpcId;
  tool: string | null;
  callEventId: string;
}

/**
 * Records what the tools called in one POST returned, when the tenant turned `auditToolResults`
 * on: each `tools/call` forwarded upstream is awaited by its JSON-RPC id, and its result —
 * whether it comes back as a JSON body, an SSE event (reassembled whole from its chunks) or a
 * stdio message, all of which pass the response inspector — becomes a `tool.result` event that
 * names the `tool.call` event it answers. The result goes through the tenant's audit redactor
 * (as the arguments do) before it is cut to the tenant's cap, so what is kept never holds a
 * secret and what is buffered here is bounded by that cap. A JSON-RPC error reply is not a tool
 * result and records nothing (its `tool.call` event already has the HTTP status).
 */
export class ToolResultAudit {
  private readonly awaited = new Map<string, AwaitedResult>();

  private constructor(
    private readonly deps: ProxyDeps,
    private readonly ctx: McpRequestContext,
    private readonly redactor: Redactor,
    private readonly maxBytes: number,
  ) {}

  /** Null when the tenant keeps tool results out of events: nothing is then awaited or inspected. */
  static forRequest(deps: ProxyDeps, ctx: McpRequestContext): ToolResultAudit | null {
    const redactors = deps.redaction.forPolicy(ctx.policy);
    return redactors.toolResultMaxBytes === null ? null : new ToolResultAudit(deps, ctx, redactors.audit, redactors.toolResultMaxBytes);
  }

  get isAwaiting(): boolean {
    return this.awaited.size > 0;
  }

  /** After `audit` was recorded as event `eventId` for `message`: await its result if it is an allowed tool call. */
  awaitResultOf(message: JsonRpcMessage, audit: AuditFields, eventId: string): void {
    if (audit.kind !== 'tool.call' || !isRequest(message)) return;
    this.awaited.set(rpcKey(message.id), { rpcId: message.id, tool: audit.tool ?? null, callEventId: eventId });
  }

  /** Looks at one message coming back from the upstream (untouched by it). */
  observe(message: unknown): void {
    if (this.awaited.size === 0 || typeof message !== 'object' || message === null || !('result' in message) || !('id' in message)) return;
    const key = rpcKey((message as { id: JsonRpcId }).id);
    const awaited = this.awaited.get(key);
    if (!awaited) return;
    this.awaited.delete(key);
    const excerpt = toolResultExcerpt((message as { result: unknown }).result, this.redactor, this.maxBytes);
    if (!excerpt) return;
    if (excerpt.count > 0) this.deps.metrics.redactedValues.inc({ where: 'result' }, excerpt.count);
    this.ctx.audit({
      kind: 'tool.result',
      decision: 'allow',
      method: 'tools/call',
      rpcId: awaited.rpcId,
      tool: awaited.tool,
      callEventId: awaited.callEventId,
      result: excerpt.value,
      redactedCount: excerpt.count,
    });
  }
}
