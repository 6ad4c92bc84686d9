import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorResponse, MCPG_UPSTREAM_ERROR, serializeSseEvent, type JsonRpcId, type JsonRpcResponse, type SseEvent } from '@mcpg/mcp';
import { request } from 'undici';
import { sendJsonRpc } from './http-replies.js';
import type { McpRequestContext, ProxyDeps } from './proxy-deps.js';
import type { ResponseInspector } from './response-inspector.js';
import { SseRewriter } from './response-inspector.js';
import { headersToClient, headersToUpstream } from './upstream-headers.js';

export interface ForwardOptions {
  method: 'POST' | 'GET' | 'DELETE';
  /** Legacy SSE: the upstream URL to use instead of the server's; no `Mcp-Session-Id` is sent then. */
  url?: string;
  /** Legacy SSE: rewrites events of the upstream's stream before inspection. */
  rewriteSseEvent?: (event: SseEvent) => SseEvent;
  body?: Buffer | string;
  inspector: ResponseInspector;
  /** Replies the proxy produced itself (denied calls) to merge into the upstream's answer. */
  answeredHere: JsonRpcResponse[];
  isBatch: boolean;
  /** Ids of the forwarded requests, so an upstream failure can be answered per request. */
  forwardedRequestIds: JsonRpcId[];
  /** Called once with the upstream's HTTP status, or the error that replaced it. */
  onUpstreamStatus(status: number, error?: string): void;
}

type UpstreamResponse = Awaited<ReturnType<typeof request>>;

const MAX_JSON_RESPONSE_BYTES = 16 * 1024 * 1024;

const FAILURE_MESSAGES: Record<number, string> = {
  502: 'Upstream MCP server is unreachable',
  503: 'Upstream MCP server is failing; the proxy stopped sending it requests for a while (circuit open)',
  504: 'Upstream MCP server timed out',
};

function upstreamFailure(err: unknown): { status: number; reason: string } {
  const code = (err as { code?: string }).code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return { status: 504, reason: 'upstream_timeout' };
  return { status: 502, reason: code ? `upstream_unreachable:${code}` : 'upstream_unreachable' };
}

/** One JSON-RPC error per forwarded request (plus the proxy's own answers), so clients can match them. */
function failureBody(options: ForwardOptions, status: number): JsonRpcResponse | JsonRpcResponse[] {
  const message = FAILURE_MESSAGES[status] ?? 'Upstream MCP server error';
  if (!options.isBatch) return errorResponse(options.forwardedRequestIds[0] ?? null, MCPG_UPSTREAM_ERROR, message);
  const errors = options.forwardedRequestIds.map((id) => errorResponse(id, MCPG_UPSTREAM_ERROR, message));
  const all = [...options.answeredHere, ...errors];
  return all.length > 0 ? all : errorResponse(null, MCPG_UPSTREAM_ERROR, message);
}

/** Sends the request to the upstream MCP server and relays its answer, inspecting it on the way. */
export async function forwardToUpstream(
  deps: ProxyDeps,
  ctx: McpRequestContext,
  req: IncomingMessage,
  res: ServerResponse,
  options: ForwardOptions,
): Promise<void> {
  const circuitKey = `${ctx.policy.tenantId}:${ctx.server.id}`;
  const admission = deps.circuits.admit(circuitKey);
  if (!admission.isAllowed) {
    const retryAfterS = Math.max(1, Math.ceil(admission.retryAfterMs / 1000));
    options.onUpstreamStatus(503, 'circuit_open');
    ctx.bytesOut = sendJsonRpc(res, 503, failureBody(options, 503), { 'retry-after': String(retryAfterS) });
    return;
  }

  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });

  const headers = headersToUpstream(req.headers, ctx.policy.upstreamCredentials.get(ctx.server.id));
  if (ctx.session && !options.url) headers['mcp-session-id'] = ctx.session.upstreamId;
  let upstream: UpstreamResponse;
  try {
    upstream = await request(options.url ?? ctx.server.url, {
      method: options.method,
      headers,
      body: options.body,
      dispatcher: deps.dispatcherFor(ctx.limits.upstreamConnectTimeoutMs),
      signal: abort.signal,
      headersTimeout: ctx.limits.upstreamResponseTimeoutMs,
      // Time allowed between two chunks of the body: on SSE streams, the idle timeout.
      bodyTimeout: ctx.limits.sseIdleTimeoutMs,
    });
  } catch (err) {
    if (abort.signal.aborted) {
      if (admission.isTrial) deps.circuits.releaseTrial(circuitKey);
      return;
    }
    deps.circuits.recordFailure(circuitKey);
    const failure = upstreamFailure(err);
    deps.log.warn('upstream request failed', { server: ctx.server.name, tenantId: ctx.policy.tenantId, reason: failure.reason });
    options.onUpstreamStatus(failure.status, failure.reason);
    ctx.bytesOut = sendJsonRpc(res, failure.status, failureBody(options, failure.status));
    return;
  }
  if (upstream.statusCode >= 500) deps.circuits.recordFailure(circuitKey);
  else deps.circuits.recordSuccess(circuitKey);

  options.onUpstreamStatus(upstream.statusCode, upstream.statusCode >= 500 ? `upstream_status_${upstream.statusCode}` : undefined);
  const contentType = String(upstream.headers['content-type'] ?? '');
  const clientHeaders = headersToClient(upstream.headers);
  const upstreamSessionId = clientHeaders['mcp-session-id'];
  if (upstreamSessionId !== undefined) {
    // The client sees only the sealed form; keep its own token when the session is unchanged.
    clientHeaders['mcp-session-id'] =
      ctx.session?.upstreamId === upstreamSessionId
        ? ctx.session.clientId
        : deps.sessions.seal({ upstreamSessionId, tenantId: ctx.policy.tenantId, serverId: ctx.server.id, subject: ctx.principal.subject });
  }

  try {
    if (contentType.startsWith('text/event-stream')) {
      await relaySse(ctx, res, upstream, clientHeaders, options);
    } else if (contentType.includes('application/json')) {
      await relayJson(ctx, res, upstream, clientHeaders, options);
    } else if (options.answeredHere.length > 0 && upstream.statusCode === 202) {
      // Only notifications/responses went upstream (202), but the client still needs the denials.
      await upstream.body.dump();
      ctx.bytesOut = sendJsonRpc(res, 200, options.isBatch ? options.answeredHere : options.answeredHere[0]!);
    } else {
      res.writeHead(upstream.statusCode, clientHeaders);
      for await (const chunk of upstream.body) {
        ctx.bytesOut += (chunk as Buffer).length;
        res.write(chunk);
      }
      res.end();
    }
  } catch (err) {
    if (abort.signal.aborted) return;
    if ((err as { code?: string }).code === 'UND_ERR_BODY_TIMEOUT') {
      // An idle stream is ended cleanly: the client may reconnect, with Last-Event-ID, to resume.
      ctx.audit({ kind: 'upstream.error', decision: 'error', method: options.method === 'POST' ? null : `HTTP ${options.method}`, reason: 'sse_idle_timeout', status: upstream.statusCode });
      res.end();
      return;
    }
    deps.log.warn('upstream response broke off', { server: ctx.server.name, tenantId: ctx.policy.tenantId, err });
    res.destroy();
  }
}

async function relaySse(ctx: McpRequestContext, res: ServerResponse, upstream: UpstreamResponse, headers: Record<string, string>, options: ForwardOptions): Promise<void> {
  res.writeHead(upstream.statusCode, { ...headers, 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  for (const reply of options.answeredHere) {
    const chunk = serializeSseEvent({ event: 'message', data: JSON.stringify(reply) });
    ctx.bytesOut += Buffer.byteLength(chunk);
    res.write(chunk);
  }
  const rewriter = options.inspector.isPassThrough && !options.rewriteSseEvent ? null : new SseRewriter(options.inspector, options.rewriteSseEvent);
  for await (const chunk of upstream.body) {
    const out = rewriter ? rewriter.push(chunk as Buffer) : (chunk as Buffer);
    if (out.length === 0) continue;
    ctx.bytesOut += typeof out === 'string' ? Buffer.byteLength(out) : out.length;
    res.write(out);
  }
  res.end();
}

async function relayJson(ctx: McpRequestContext, res: ServerResponse, upstream: UpstreamResponse, headers: Record<string, string>, options: ForwardOptions): Promise<void> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of upstream.body) {
    total += (chunk as Buffer).length;
    if (total > MAX_JSON_RESPONSE_BYTES) throw new Error('upstream JSON response too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks, total).toString('utf8');
  const inspected = options.inspector.isPassThrough ? null : options.inspector.inspectJsonBody(text);
  // Looked at only (tool results audited): the client still gets the upstream's bytes.
  let reply: unknown = options.inspector.isRewriting ? inspected : null;
  if (options.answeredHere.length > 0) {
    const parsed = reply ?? safeJson(text);
    if (Array.isArray(parsed)) reply = [...options.answeredHere, ...parsed];
    else if (parsed !== null && options.isBatch) reply = [...options.answeredHere, parsed];
  }
  if (reply === null) {
    const body = Buffer.from(text);
    res.writeHead(upstream.statusCode, { ...headers, 'content-length': String(body.length) });
    res.end(body);
    ctx.bytesOut += body.length;
    return;
  }
  const body = JSON.stringify(reply);
  res.writeHead(upstream.statusCode, { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
  ctx.bytesOut += Buffer.byteLength(body);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
