import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { principalKey } from '@mcpg/auth';
import { errorResponse, MCPG_NOT_FOUND, MCPG_RATE_LIMITED } from '@mcpg/mcp';
import type { AuditFields } from './audit-recorder.js';
import { authenticateRequest } from './authenticate-request.js';
import { sendJsonRpc } from './http-replies.js';
import { handleMcpPost } from './mcp-post.js';
import type { McpRequestContext, ProxyDeps } from './proxy-deps.js';
import { legacyDelivery, legacyMessagesUrl, relayLegacySseStream } from './legacy-sse.js';
import { responseRedaction } from './message-redaction.js';
import { checkRequestHead, checkTransport, resolveSession, sessionIdOf, type GuardRefusal } from './request-guards.js';
import { limitsFor } from './request-limits.js';
import type { McpEndpoint } from './route.js';
import { streamOrEndStdio } from './stdio-route.js';
import { ResponseInspector } from './response-inspector.js';
import { forwardToUpstream } from './upstream-forwarder.js';

/** W3C traceparent carries the caller's trace id; otherwise start a new trace. */
function traceIdOf(req: IncomingMessage): string {
  const header = req.headers.traceparent;
  const m = typeof header === 'string' ? /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(header) : null;
  return m ? m[1]! : randomBytes(16).toString('hex');
}

/** The order of work from DESIGN.md §4: tenant → server → authenticate → rate limit → method. */
export async function handleMcpRoute(
  deps: ProxyDeps,
  tenantSlug: string,
  serverName: string,
  req: IncomingMessage,
  res: ServerResponse,
  endpoint: McpEndpoint = 'mcp',
): Promise<void> {
  const startedAt = performance.now();
  const traceId = traceIdOf(req);
  const sourceIp = req.socket.remoteAddress ?? null;
  const base: Partial<AuditFields> = { traceId, sourceIp, server: serverName };

  const policy = deps.store.findBySlug(tenantSlug);
  const server = policy?.serversByName.get(serverName);
  if (!policy || !server) {
    // One answer for unknown tenant and unknown server, so paths do not reveal which tenants exist.
    deps.metrics.requests.inc({ outcome: 'not_found' });
    sendJsonRpc(res, 404, errorResponse(null, MCPG_NOT_FOUND, 'Not found: no such MCP server'));
    return;
  }
  Object.assign(base, { tenantId: policy.tenantId, snapshotVersion: policy.version });
  const latencyMs = () => Math.round((performance.now() - startedAt) * 100) / 100;
  const record = (fields: AuditFields) => {
    deps.metrics.auditEvents.inc({ kind: fields.kind });
    return deps.recorder.record({ ...base, latencyMs: latencyMs(), ...fields });
  };
  const refuse = (refusal: GuardRefusal) => {
    deps.metrics.requests.inc({ outcome: 'refused' });
    record({ kind: 'request.invalid', decision: 'deny', reason: refusal.reason, status: refusal.status });
    sendJsonRpc(res, refusal.status, refusal.reply, refusal.headers);
  };
  const limits = limitsFor(deps.config, policy);
  const headRefusal = checkRequestHead(req, policy, limits);
  if (headRefusal) return refuse(headRefusal);

  const auth = await authenticateRequest(deps, policy, serverName, req, res, record);
  if (!auth) return;
  const { principal, access: key } = auth;
  base.principal = { subject: principal.subject, via: principal.via, ...(principal.keyId ? { keyId: principal.keyId } : {}) };

  const limit = policy.rateLimit;
  const taken = deps.buckets.take(principalKey(principal), limit);
  const rateHeaders = { 'ratelimit-limit': String(limit.capacity), 'ratelimit-remaining': String(taken.remaining) };
  if (!taken.isAllowed) {
    const retryAfterS = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
    deps.metrics.requests.inc({ outcome: 'rate_limited' });
    record({ kind: 'rate_limited', decision: 'deny', reason: 'token_bucket_empty', status: 429 });
    sendJsonRpc(res, 429, errorResponse(null, MCPG_RATE_LIMITED, `Too many requests: retry after ${retryAfterS} s`), {
      ...rateHeaders,
      'retry-after': String(retryAfterS),
      'ratelimit-reset': String(retryAfterS),
    });
    return;
  }
  for (const [name, value] of Object.entries(rateHeaders)) res.setHeader(name, value);

  const transportRefusal = checkTransport(server, endpoint, req.method, deps.config.allowStdioUpstreams);
  if (transportRefusal) return refuse(transportRefusal);
  const resolved = resolveSession(deps.sessions, sessionIdOf(req, endpoint), {
    tenantId: policy.tenantId,
    serverId: server.id,
    subject: principal.subject,
  });
  if ('refusal' in resolved) return refuse(resolved.refusal);

  const ctx: McpRequestContext = {
    policy,
    server,
    principal,
    key,
    limits,
    session: resolved.session,
    bytesIn: 0,
    bytesOut: 0,
    audit: (fields) => record({ bytesIn: ctx.bytesIn, ...fields }),
  };
  deps.metrics.requests.inc({ outcome: 'forwarded' });
  if (endpoint === 'sse') return relayLegacySseStream(deps, ctx, req, res, `/t/${encodeURIComponent(tenantSlug)}/${encodeURIComponent(serverName)}/messages`);
  if (endpoint === 'messages') {
    return handleMcpPost(deps, ctx, req, res, { url: legacyMessagesUrl(ctx), deliver: legacyDelivery(deps, ctx.session!.clientId) });
  }
  if (server.transport === 'stdio' && (req.method === 'GET' || req.method === 'DELETE')) return streamOrEndStdio(deps, ctx, req.method, res);
  switch (req.method) {
    case 'POST':
      return handleMcpPost(deps, ctx, req, res);
    case 'GET':
    case 'DELETE':
      // GET opens the server-to-client stream, DELETE ends the session (MCP Streamable HTTP).
      return forwardToUpstream(deps, ctx, req, res, {
        method: req.method,
        inspector: new ResponseInspector(key, 'by-shape', responseRedaction(deps, ctx)),
        answeredHere: [],
        isBatch: false,
        forwardedRequestIds: [],
        onUpstreamStatus: (status, error) =>
          record({ kind: error ? 'upstream.error' : 'request', decision: error ? 'error' : 'allow', method: `HTTP ${req.method}`, reason: error ?? null, status }),
      });
    default:
      sendJsonRpc(res, 405, errorResponse(null, -32600, `Method ${req.method} not allowed`), { allow: 'GET, POST, DELETE' });
  }
}
