import type { IncomingMessage } from 'node:http';
import { errorResponse, JSON_RPC_INVALID_REQUEST, MCPG_FORBIDDEN, MCPG_NOT_FOUND, type JsonRpcResponse } from '@mcpg/mcp';
import type { CompiledPolicy, SnapshotServer } from '@mcpg/policy';
import type { RequestLimits } from './request-limits.js';
import type { McpEndpoint } from './route.js';
import type { SessionSealer } from './session-seal.js';

/** A request refused before it reaches the upstream: HTTP status, audit reason, JSON-RPC body. */
export interface GuardRefusal {
  status: number;
  reason: string;
  reply: JsonRpcResponse;
  headers?: Record<string, string>;
}

/** Bytes of the request head as received: `name: value\r\n` per header line. */
export function headerBytes(req: IncomingMessage): number {
  let total = 0;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) total += raw[i]!.length + raw[i + 1]!.length + 4;
  return total;
}

/**
 * Checks done before authentication (DESIGN.md §4, "limits on size/headers"): header size, and
 * `Origin` against the tenant's allow-list. The MCP transports require servers to validate
 * `Origin` to stop DNS-rebinding attacks from browsers; requests without `Origin` come from
 * non-browser clients and are not affected.
 */
export function checkRequestHead(req: IncomingMessage, policy: CompiledPolicy, limits: RequestLimits): GuardRefusal | null {
  if (headerBytes(req) > limits.maxHeaderBytes) {
    return {
      status: 431,
      reason: 'headers_too_large',
      reply: errorResponse(null, JSON_RPC_INVALID_REQUEST, `Invalid Request: headers larger than ${limits.maxHeaderBytes} bytes`),
    };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !policy.allowedOrigins.has(origin)) {
    return {
      status: 403,
      reason: 'origin_not_allowed',
      reply: errorResponse(null, MCPG_FORBIDDEN, 'Forbidden: this Origin is not allowed for this tenant', { reason: 'origin_not_allowed' }),
    };
  }
  return null;
}

const ENDPOINT_METHODS: Record<McpEndpoint, readonly string[]> = { mcp: ['GET', 'POST', 'DELETE'], sse: ['GET'], messages: ['POST'] };

/**
 * The client must use the transport the upstream speaks (`/mcp` for Streamable HTTP, `/sse` +
 * `/messages` for legacy SSE), with the HTTP methods of that endpoint.
 */
export function checkTransport(server: SnapshotServer, endpoint: McpEndpoint, method: string | undefined, allowStdio: boolean): GuardRefusal | null {
  if (server.transport === 'stdio' && (!allowStdio || !server.stdio)) {
    // Spawning processes is for standalone mode and trusted deployments: off unless configured.
    return { status: 404, reason: 'stdio_disabled', reply: errorResponse(null, MCPG_NOT_FOUND, 'Not found: stdio upstreams are disabled on this proxy') };
  }
  const isLegacy = endpoint !== 'mcp';
  if (isLegacy !== (server.transport === 'sse')) {
    const hint = server.transport === 'sse' ? 'use /sse and /messages (HTTP+SSE transport)' : 'use /mcp (Streamable HTTP)';
    return { status: 404, reason: 'wrong_transport', reply: errorResponse(null, MCPG_NOT_FOUND, `Not found: this server does not speak this transport; ${hint}`) };
  }
  if (!ENDPOINT_METHODS[endpoint].includes(method ?? '')) {
    return {
      status: 405,
      reason: 'method_not_allowed',
      reply: errorResponse(null, JSON_RPC_INVALID_REQUEST, `Method ${method} not allowed`),
      headers: { allow: ENDPOINT_METHODS[endpoint].join(', ') },
    };
  }
  return null;
}

function queryOf(url: string | undefined): string {
  const q = url?.indexOf('?') ?? -1;
  return q === -1 || url === undefined ? '' : url.slice(q + 1);
}

/** The sealed session id the client presents: `Mcp-Session-Id`, or `?sessionId=` on legacy POSTs. */
export function sessionIdOf(req: IncomingMessage, endpoint: McpEndpoint): string | string[] | undefined {
  if (endpoint === 'messages') return new URLSearchParams(queryOf(req.url)).get('sessionId') ?? '';
  if (endpoint === 'sse') return undefined;
  return req.headers['mcp-session-id'];
}

export type SessionResolution = { session: { clientId: string; upstreamId: string } | null } | { refusal: GuardRefusal };

/**
 * Opens the sealed `Mcp-Session-Id` the client sent. Tampered, foreign, or bound to another
 * tenant, server or principal: 404, which tells an MCP client its session is gone (Streamable
 * HTTP: "respond to requests containing that session ID with HTTP 404 Not Found").
 */
export function resolveSession(
  sessions: SessionSealer,
  header: string | string[] | undefined,
  binding: { tenantId: string; serverId: string; subject: string },
): SessionResolution {
  if (header === undefined) return { session: null };
  const clientId = Array.isArray(header) ? header[0]! : header;
  const claims = sessions.open(clientId);
  if (!claims || claims.tenantId !== binding.tenantId || claims.serverId !== binding.serverId || claims.subject !== binding.subject) {
    return {
      refusal: {
        status: 404,
        reason: 'session_not_found',
        reply: errorResponse(null, MCPG_NOT_FOUND, 'Not found: no such session for this credential; start a new session'),
      },
    };
  }
  return { session: { clientId, upstreamId: claims.upstreamSessionId } };
}
