import type { IncomingMessage, ServerResponse } from 'node:http';
import { serializeSseEvent, type JsonRpcResponse, type SseEvent } from '@mcpg/mcp';
import type { McpRequestContext, ProxyDeps } from './proxy-deps.js';
import { responseRedaction } from './message-redaction.js';
import { ResponseInspector } from './response-inspector.js';
import { forwardToUpstream } from './upstream-forwarder.js';

/**
 * The legacy HTTP+SSE transport (MCP 2024-11-05) for older clients: `GET …/sse` opens the
 * upstream's stream, whose first `endpoint` event names where to POST messages. The proxy
 * replaces that endpoint with its own `…/messages?sessionId=<sealed>`, the sealed id carrying the
 * upstream's endpoint (bound to tenant, server and principal like Streamable HTTP sessions), so
 * any replica can forward a POST. Every posted message is authorized as on `/mcp`
 * (mcp-post.ts); answers to denied ones travel on the SSE stream, written by whichever proxy
 * of the region holds it (over the Redis relay when that is another one).
 */
export interface LegacyStream {
  /** Writes one JSON-RPC message to the client's SSE stream as a `message` event. */
  send(message: JsonRpcResponse): void;
}

export async function relayLegacySseStream(
  deps: ProxyDeps,
  ctx: McpRequestContext,
  req: IncomingMessage,
  res: ServerResponse,
  messagesPath: string,
): Promise<void> {
  const upstreamBase = new URL(ctx.server.url);
  let sealedId: string | null = null;
  res.on('close', () => {
    if (sealedId) deps.legacyStreams.delete(sealedId);
  });
  const rewriteEvent = (event: SseEvent): SseEvent => {
    if (event.event !== 'endpoint' || event.data === undefined) return event;
    const endpoint = new URL(event.data.trim(), upstreamBase);
    // An upstream may only point at itself: the POSTs later go wherever the sealed id says.
    if (endpoint.origin !== upstreamBase.origin) throw new Error('legacy SSE endpoint on another origin');
    sealedId = deps.sessions.seal({
      upstreamSessionId: endpoint.pathname + endpoint.search,
      tenantId: ctx.policy.tenantId,
      serverId: ctx.server.id,
      subject: ctx.principal.subject,
    });
    deps.legacyStreams.set(sealedId, {
      send: (message) => res.write(serializeSseEvent({ event: 'message', data: JSON.stringify(message) })),
    });
    return { ...event, data: `${messagesPath}?sessionId=${encodeURIComponent(sealedId)}` };
  };
  await forwardToUpstream(deps, ctx, req, res, {
    method: 'GET',
    inspector: new ResponseInspector(ctx.key, 'by-shape', responseRedaction(deps, ctx)),
    rewriteSseEvent: rewriteEvent,
    answeredHere: [],
    isBatch: false,
    forwardedRequestIds: [],
    onUpstreamStatus: (status, error) =>
      ctx.audit({ kind: error ? 'upstream.error' : 'request', decision: error ? 'error' : 'allow', method: 'HTTP GET', reason: error ?? null, status }),
  });
}

/**
 * Puts the proxy's own answers on the client's stream: directly when this proxy holds it, else
 * through the region's relay to the proxy that does. False when neither is possible.
 */
export function legacyDelivery(deps: ProxyDeps, sessionId: string): (replies: readonly JsonRpcResponse[]) => Promise<boolean> {
  return async (replies) => {
    const local = deps.legacyStreams.get(sessionId);
    if (local) {
      for (const reply of replies) local.send(reply);
      return true;
    }
    if (!deps.legacyRelay) return false;
    for (const reply of replies) await deps.legacyRelay.publish(sessionId, reply);
    return true;
  };
}

/** The upstream URL a legacy POST goes to: the endpoint sealed into the client's session id. */
export function legacyMessagesUrl(ctx: McpRequestContext): string {
  return new URL(ctx.session!.upstreamId, ctx.server.url).href;
}
