import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  errorResponse,
  isRequest,
  JSON_RPC_INVALID_PARAMS,
  MCPG_FORBIDDEN,
  parseJsonRpcBody,
  type JsonRpcMessage,
  type JsonRpcResponse,
} from '@mcpg/mcp';
import { decideToolCall } from '@mcpg/policy';
import type { AuditFields } from './audit-recorder.js';
import { sendInsufficientScope, stepUpScopesFor } from './authenticate-request.js';
import { sendJsonRpc } from './http-replies.js';
import type { McpRequestContext, ProxyDeps } from './proxy-deps.js';
import { BodyTooLargeError, readBody } from './read-body.js';
import { auditedArguments, responseRedaction } from './message-redaction.js';
import { ResponseInspector } from './response-inspector.js';
import { rpcKey } from './rpc-key.js';
import { forwardToUpstream } from './upstream-forwarder.js';

interface MessagePlan {
  message: JsonRpcMessage;
  audit: AuditFields;
}

/** Streamable HTTP POST: authorize every JSON-RPC message, answer denied ones here, forward the rest. */
export async function handleMcpPost(deps: ProxyDeps, ctx: McpRequestContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let body: Buffer;
  try {
    body = await readBody(req, deps.config.maxBodyBytes);
  } catch (err) {
    if (!(err instanceof BodyTooLargeError)) throw err;
    ctx.audit({ kind: 'request.invalid', decision: 'deny', reason: 'body_too_large', status: 413 });
    sendJsonRpc(res, 413, errorResponse(null, -32600, `Invalid Request: body larger than ${err.limitBytes} bytes`), { connection: 'close' });
    return;
  }
  ctx.bytesIn = body.length;

  const parsed = parseJsonRpcBody(body.toString('utf8'), { maxBatchLength: deps.config.maxBatchLength });
  if (!parsed.ok) {
    ctx.audit({ kind: 'request.invalid', decision: 'deny', reason: parsed.error.error?.message ?? 'invalid', status: 400, rpcId: parsed.error.id });
    sendJsonRpc(res, 400, parsed.error);
    return;
  }

  const answeredHere: JsonRpcResponse[] = [];
  const forwarded: MessagePlan[] = [];
  const toolsListIds = new Set<string>();
  for (const message of parsed.messages) {
    if (!isRequest(message)) {
      forwarded.push({ message, audit: { kind: 'request', decision: 'allow', method: 'method' in message ? message.method : null } });
      continue;
    }
    const base = { method: message.method, rpcId: message.id };
    if (message.method === 'tools/call') {
      const name = (message.params as { name?: unknown } | undefined)?.name;
      if (typeof name !== 'string' || name.length === 0) {
        answeredHere.push(errorResponse(message.id, JSON_RPC_INVALID_PARAMS, 'Invalid params: tools/call needs params.name'));
        ctx.audit({ ...base, kind: 'request.invalid', decision: 'deny', reason: 'missing_tool_name', status: 200 });
        continue;
      }
      const decision = decideToolCall(ctx.key, name);
      const args = auditedArguments(deps, ctx, message.params);
      const stepUpScopes = decision.isAllowed || parsed.isBatch ? null : stepUpScopesFor(ctx.policy, ctx.principal, name);
      if (stepUpScopes) {
        ctx.audit({ ...base, ...args, kind: 'tool.denied', decision: 'deny', tool: name, reason: 'insufficient_scope', status: 403 });
        ctx.bytesOut = sendInsufficientScope(deps, ctx.policy, ctx.server.name, res, message.id, name, stepUpScopes);
        return;
      }
      if (!decision.isAllowed) {
        answeredHere.push(errorResponse(message.id, MCPG_FORBIDDEN, `Forbidden: tool "${name}" is not allowed for this credential`, { reason: decision.reason }));
        ctx.audit({ ...base, ...args, kind: 'tool.denied', decision: 'deny', tool: name, reason: decision.reason, ruleId: decision.ruleId, status: 200 });
        continue;
      }
      forwarded.push({ message, audit: { ...base, ...args, kind: 'tool.call', decision: 'allow', tool: name, reason: decision.reason, ruleId: decision.ruleId } });
      continue;
    }
    if (message.method === 'tools/list') toolsListIds.add(rpcKey(message.id));
    forwarded.push({ message, audit: { ...base, kind: 'request', decision: 'allow' } });
  }

  if (forwarded.length === 0) {
    const reply = parsed.isBatch ? answeredHere : answeredHere[0]!;
    ctx.bytesOut = sendJsonRpc(res, 200, reply);
    return;
  }

  // Forward the client's bytes untouched unless the proxy had to take messages out.
  const upstreamBody = answeredHere.length === 0 && forwarded.length === parsed.messages.length
    ? body
    : JSON.stringify(parsed.isBatch ? forwarded.map((f) => f.message) : forwarded[0]!.message);

  await forwardToUpstream(deps, ctx, req, res, {
    method: 'POST',
    body: upstreamBody,
    inspector: new ResponseInspector(ctx.key, toolsListIds, responseRedaction(deps, ctx)),
    answeredHere,
    isBatch: parsed.isBatch,
    onUpstreamStatus: (status, error) => {
      for (const f of forwarded) {
        if (error) ctx.audit({ ...f.audit, kind: 'upstream.error', decision: 'error', reason: error, status });
        else ctx.audit({ ...f.audit, status });
      }
    },
  });
}
