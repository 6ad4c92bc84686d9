import type { IncomingMessage } from 'node:http';
import { errorResponse, JSON_RPC_INVALID_REQUEST, MCPG_FORBIDDEN, MCPG_NOT_FOUND, type JsonRpcResponse } from '@mcpg/mcp';
import type { CompiledPolicy } from '@mcpg/policy';
import type { RequestLimits } from './request-limits.js';
import type { SessionSealer } from './session-seal.js';

/** A request refused before it reaches the upstream: HTTP status, audit reason, JSON-RPC body. */
export interface GuardRefusal {
  status: number;
  reason: string;
  reply: JsonRpcResponse;
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
