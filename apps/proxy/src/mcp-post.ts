import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  checkStandardHeaders,
  errorResponse,
  isRequest,
  JSON_RPC_INVALID_REQUEST,
  jsonDepthExceeds,
  parseJsonRpcBody,
  type FilteredListMethod,
  type JsonRpcMessage,
  type JsonRpcResponse,
} from '@mcpg/mcp';
import { principalKey } from '@mcpg/auth';
import type { AuditFields } from './audit-recorder.js';
import { sendInsufficientScope, stepUpScopesFor } from './authenticate-request.js';
import { sendJsonRpc } from './http-replies.js';
import { authorizeMessage } from './message-authorizer.js';
import { auditedArguments, responseRedaction } from './message-redaction.js';
import type { McpRequestContext, ProxyDeps } from './proxy-deps.js';
import { BodyTooLargeError, readBody } from './read-body.js';
import { ResponseInspector } from './response-inspector.js';
import { rpcKey } from './rpc-key.js';
import { postToStdio } from './stdio-route.js';
import { ToolResultAudit } from './tool-result-audit.js';
import { forwardToUpstream } from './upstream-forwarder.js';

interface MessagePlan {
  message: JsonRpcMessage;
  audit: AuditFields;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** A POST of the legacy SSE transport: where it goes upstream, and how answers reach the client's stream. */
export interface LegacyPost {
  url: string;
  deliver(replies: readonly JsonRpcResponse[]): Promise<boolean>;
}

/**
 * Streamable HTTP POST (and legacy SSE `/messages` POST): authorize every JSON-RPC message,
 * answer denied ones here, forward the rest.
 */
export async function handleMcpPost(deps: ProxyDeps, ctx: McpRequestContext, req: IncomingMessage, res: ServerResponse, legacy?: LegacyPost): Promise<void> {
  const invalid = (status: number, reason: string, reply: JsonRpcResponse, headers: Record<string, string> = {}) => {
    ctx.audit({ kind: 'request.invalid', decision: 'deny', reason, status, rpcId: reply.id });
    ctx.bytesOut = sendJsonRpc(res, status, reply, headers);
  };
  let body: Buffer;
  try {
    body = await readBody(req, ctx.limits.maxBodyBytes);
  } catch (err) {
    if (!(err instanceof BodyTooLargeError)) throw err;
    invalid(413, 'body_too_large', errorResponse(null, JSON_RPC_INVALID_REQUEST, `Invalid Request: body larger than ${err.limitBytes} bytes`), {
      connection: 'close',
    });
    return;
  }
  ctx.bytesIn = body.length;

  const text = body.toString('utf8');
  if (jsonDepthExceeds(text, ctx.limits.maxJsonDepth)) {
    invalid(400, 'json_too_deep', errorResponse(null, JSON_RPC_INVALID_REQUEST, `Invalid Request: JSON nested deeper than ${ctx.limits.maxJsonDepth} levels`));
    return;
  }
  const parsed = parseJsonRpcBody(text, { maxBatchLength: ctx.limits.maxBatchLength });
  if (!parsed.ok) {
    invalid(400, parsed.reason, parsed.error);
    return;
  }
  const mismatch = checkStandardHeaders(headerValue(req, 'mcp-method'), headerValue(req, 'mcp-name'), parsed.messages, parsed.isBatch);
  if (mismatch) {
    const first = parsed.messages[0];
    const id = !parsed.isBatch && first && 'id' in first ? (first.id ?? null) : null;
    invalid(400, mismatch, errorResponse(id, JSON_RPC_INVALID_REQUEST, 'Invalid Request: Mcp-Method / Mcp-Name headers do not match the body', { reason: mismatch }));
    return;
  }

  const answeredHere: JsonRpcResponse[] = [];
  const forwarded: MessagePlan[] = [];
  const listIds = new Map<string, FilteredListMethod>();
  // Allow rules with their own rate limit: one bucket per rule and principal, in this proxy.
  const takeRuleToken = (ruleId: string) => {
    const limit = ctx.policy.ruleRateLimits.get(ruleId);
    return limit ? deps.buckets.take(`rule:${ruleId}|${principalKey(ctx.principal)}`, limit) : null;
  };
  for (const message of parsed.messages) {
    const decision = authorizeMessage(ctx.key, message, takeRuleToken);
    // Tool arguments enter audit events only through the tenant's redactor, allowed or denied.
    const audit = isRequest(message) && message.method === 'tools/call' ? { ...decision.audit, ...auditedArguments(deps, ctx, message.params) } : decision.audit;
    if (decision.action === 'answer') {
      // Step-up (MCP 2025-11-25): a tool another scope would grant gets a 403 challenge, not a
      // JSON-RPC denial — on Streamable HTTP, for a lone request (a batch cannot be half-refused).
      const stepUpScopes =
        !parsed.isBatch && !legacy && audit.kind === 'tool.denied' && audit.tool ? stepUpScopesFor(ctx.policy, ctx.principal, audit.tool) : null;
      if (stepUpScopes && isRequest(message)) {
        ctx.audit({ ...audit, reason: 'insufficient_scope', status: 403 });
        ctx.bytesOut = sendInsufficientScope(deps, ctx.policy, ctx.server.name, res, message.id, audit.tool!, stepUpScopes);
        return;
      }
      answeredHere.push(decision.reply);
      ctx.audit(audit);
      continue;
    }
    if (decision.listMethod && isRequest(message)) listIds.set(rpcKey(message.id), decision.listMethod);
    forwarded.push({ message, audit });
  }
  const toolResults = ToolResultAudit.forRequest(deps, ctx);
  const inspector = new ResponseInspector(ctx.key, listIds, responseRedaction(deps, ctx), toolResults);

  if (legacy && answeredHere.length > 0) {
    // Legacy SSE answers travel on the client's stream. If no proxy can reach it, refuse the
    // whole POST (403) with the errors instead of losing them.
    if (!(await legacy.deliver(answeredHere))) {
      ctx.bytesOut = sendJsonRpc(res, 403, parsed.isBatch ? answeredHere : answeredHere[0]!);
      return;
    }
    answeredHere.length = 0;
    if (forwarded.length === 0) {
      res.writeHead(202, { 'content-type': 'text/plain' }).end('Accepted');
      return;
    }
  }

  if (forwarded.length === 0) {
    const reply = parsed.isBatch ? answeredHere : answeredHere[0]!;
    ctx.bytesOut = sendJsonRpc(res, 200, reply);
    return;
  }

  if (ctx.server.transport === 'stdio') {
    postToStdio(deps, ctx, res, { forwarded, answeredHere, inspector, toolResults, isBatch: parsed.isBatch });
    return;
  }

  // Forward the client's bytes untouched unless the proxy had to take messages out.
  const upstreamBody = answeredHere.length === 0 ? body : JSON.stringify(parsed.isBatch ? forwarded.map((f) => f.message) : forwarded[0]!.message);

  await forwardToUpstream(deps, ctx, req, res, {
    method: 'POST',
    ...(legacy ? { url: legacy.url } : {}),
    body: upstreamBody,
    inspector,
    answeredHere,
    isBatch: parsed.isBatch,
    forwardedRequestIds: forwarded.flatMap((f) => (isRequest(f.message) ? [f.message.id] : [])),
    onUpstreamStatus: (status, error) => {
      for (const f of forwarded) {
        if (error) ctx.audit({ ...f.audit, kind: 'upstream.error', decision: 'error', reason: error, status });
        else {
          const eventId = ctx.audit({ ...f.audit, status });
          toolResults?.awaitResultOf(f.message, f.audit, eventId);
        }
      }
    },
  });
}
