import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { errorResponse, isRequest, JSON_RPC_INVALID_REQUEST, MCPG_NOT_FOUND, MCPG_UPSTREAM_ERROR, serializeSseEvent, type JsonRpcMessage, type JsonRpcResponse } from '@mcpg/mcp';
import type { Logger } from '@mcpg/observability';
import type { AuditFields } from './audit-recorder.js';
import { sendJsonRpc } from './http-replies.js';
import type { McpRequestContext, ProxyDeps } from './proxy-deps.js';
import { responseRedaction } from './message-redaction.js';
import { ResponseInspector } from './response-inspector.js';
import { StdioSession } from './stdio-upstream.js';
import type { ToolResultAudit } from './tool-result-audit.js';

export interface StdioLimits {
  maxSessionsPerServer: number;
  idleTimeoutMs: number;
  maxRestarts: number;
}

/** The stdio sessions this proxy runs, by the sealed session id their client holds. */
export class StdioSessions {
  private readonly byId = new Map<string, StdioSession>();
  private readonly countByServer = new Map<string, number>();

  constructor(
    private readonly limits: StdioLimits,
    private readonly log: Logger,
  ) {}

  get(sessionId: string): StdioSession | undefined {
    const session = this.byId.get(sessionId);
    return session?.isOpen ? session : undefined;
  }

  /** A new session (spawning the process), or null when the server's cap is reached. */
  open(sessionId: string, ctx: McpRequestContext): StdioSession | null {
    const serverKey = `${ctx.policy.tenantId}:${ctx.server.id}`;
    const count = this.countByServer.get(serverKey) ?? 0;
    if (count >= this.limits.maxSessionsPerServer || !ctx.server.stdio) return null;
    this.countByServer.set(serverKey, count + 1);
    const session = new StdioSession({
      serverName: ctx.server.name,
      command: ctx.server.stdio,
      maxRestarts: this.limits.maxRestarts,
      idleTimeoutMs: this.limits.idleTimeoutMs,
      log: this.log,
      onClosed: () => {
        this.byId.delete(sessionId);
        this.countByServer.set(serverKey, (this.countByServer.get(serverKey) ?? 1) - 1);
      },
    });
    this.byId.set(sessionId, session);
    return session;
  }

  closeAll(): void {
    for (const session of [...this.byId.values()]) session.close('proxy_shutdown');
  }
}

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' };

function refuse(ctx: McpRequestContext, res: ServerResponse, status: number, reason: string, reply: JsonRpcResponse): void {
  ctx.audit({ kind: status >= 500 ? 'upstream.error' : 'request.invalid', decision: status >= 500 ? 'error' : 'deny', reason, status });
  ctx.bytesOut = sendJsonRpc(res, status, reply);
}

/** A POST's authorized messages to a stdio upstream; denied ones (already answered) go first. */
export function postToStdio(
  deps: ProxyDeps,
  ctx: McpRequestContext,
  res: ServerResponse,
  plan: {
    forwarded: Array<{ message: JsonRpcMessage; audit: AuditFields }>;
    answeredHere: JsonRpcResponse[];
    inspector: ResponseInspector;
    toolResults: ToolResultAudit | null;
    isBatch: boolean;
  },
): void {
  let session: StdioSession | undefined;
  const headers: Record<string, string> = {};
  if (ctx.session) {
    session = deps.stdio.get(ctx.session.clientId);
    if (!session) return refuse(ctx, res, 404, 'session_not_found', errorResponse(null, MCPG_NOT_FOUND, 'Not found: this session has ended; start a new session'));
  } else {
    if (!plan.forwarded.some((f) => isRequest(f.message) && f.message.method === 'initialize')) {
      return refuse(ctx, res, 400, 'no_session', errorResponse(null, JSON_RPC_INVALID_REQUEST, 'Bad Request: no session; send initialize first'));
    }
    const sessionId = deps.sessions.seal({ upstreamSessionId: randomUUID(), tenantId: ctx.policy.tenantId, serverId: ctx.server.id, subject: ctx.principal.subject });
    const opened = deps.stdio.open(sessionId, ctx);
    if (!opened) return refuse(ctx, res, 503, 'stdio_session_cap', errorResponse(null, MCPG_UPSTREAM_ERROR, 'Upstream MCP server has no free session; retry later'));
    session = opened;
    headers['mcp-session-id'] = sessionId;
  }
  const messages = plan.forwarded.map((f) => f.message);
  const hasRequests = messages.some(isRequest);
  for (const f of plan.forwarded) {
    const eventId = ctx.audit({ ...f.audit, status: hasRequests || plan.answeredHere.length > 0 ? 200 : 202 });
    plan.toolResults?.awaitResultOf(f.message, f.audit, eventId);
  }
  if (!hasRequests) {
    session.send(messages, null);
    if (plan.answeredHere.length > 0) ctx.bytesOut = sendJsonRpc(res, 200, plan.isBatch ? plan.answeredHere : plan.answeredHere[0]!, headers);
    else res.writeHead(202, headers).end();
    return;
  }
  res.writeHead(200, { ...SSE_HEADERS, ...headers });
  res.flushHeaders();
  for (const reply of plan.answeredHere) res.write(serializeSseEvent({ event: 'message', data: JSON.stringify(reply) }));
  session.send(messages, { res, inspector: plan.inspector });
}

/** GET (the server-to-client stream) and DELETE (end the session) on a stdio upstream. */
export function streamOrEndStdio(deps: ProxyDeps, ctx: McpRequestContext, method: 'GET' | 'DELETE', res: ServerResponse): void {
  const audit = (status: number, reason: string | null) =>
    ctx.audit({ kind: 'request', decision: status < 400 ? 'allow' : 'deny', method: `HTTP ${method}`, reason, status });
  const session = ctx.session ? deps.stdio.get(ctx.session.clientId) : undefined;
  if (!session) {
    audit(ctx.session ? 404 : 400, 'session_not_found');
    ctx.bytesOut = sendJsonRpc(res, ctx.session ? 404 : 400, errorResponse(null, MCPG_NOT_FOUND, 'Not found: no such session'));
    return;
  }
  if (method === 'DELETE') {
    session.close('client_deleted');
    audit(200, null);
    res.writeHead(200).end();
    return;
  }
  if (!session.attachStandalone(res, new ResponseInspector(ctx.key, 'by-shape', responseRedaction(deps, ctx)))) {
    audit(409, 'stream_already_open');
    ctx.bytesOut = sendJsonRpc(res, 409, errorResponse(null, JSON_RPC_INVALID_REQUEST, 'Conflict: this session already has a GET stream'));
    return;
  }
  audit(200, null);
}
