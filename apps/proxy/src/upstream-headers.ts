import type { IncomingHttpHeaders } from 'node:http';
import type { UpstreamCredentialHeader } from '@mcpg/policy';

/**
 * Headers that cross the proxy. An allow-list both ways: the client's Authorization (its MCP
 * Guard credential) must never reach the upstream, and upstream internals stay inside.
 */
// `mcp-session-id` is not here: the client holds a sealed id, and the forwarder sets the upstream's own.
// `mcp-method` / `mcp-name` go on only after they were checked against the body (mcp-post.ts).
const TO_UPSTREAM = ['content-type', 'accept', 'mcp-protocol-version', 'mcp-method', 'mcp-name', 'last-event-id', 'traceparent', 'tracestate'];
const TO_CLIENT = ['content-type', 'mcp-session-id', 'mcp-protocol-version', 'cache-control'];

function pick(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (typeof value === 'string') out[name] = value;
    else if (Array.isArray(value) && value.length > 0) out[name] = value.join(', ');
  }
  return out;
}

/** The client's allowed headers, plus the upstream's own configured credential if it has one. */
export function headersToUpstream(headers: IncomingHttpHeaders, credential?: UpstreamCredentialHeader): Record<string, string> {
  const out = pick(headers, TO_UPSTREAM);
  if (credential) out[credential.name] = credential.value;
  return out;
}

export function headersToClient(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  return pick(headers, TO_CLIENT);
}
