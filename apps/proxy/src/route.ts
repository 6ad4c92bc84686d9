/** `mcp`: Streamable HTTP. `sse` + `messages`: the legacy HTTP+SSE transport (MCP 2024-11-05). */
export type McpEndpoint = 'mcp' | 'sse' | 'messages';

export type ProxyRoute =
  | { kind: 'mcp'; tenantSlug: string; serverName: string; endpoint: McpEndpoint }
  | { kind: 'resource_metadata'; tenantSlug: string; serverName: string }
  | { kind: 'healthz' }
  | { kind: 'readyz' }
  | { kind: 'metrics' }
  | { kind: 'not_found' };

const MCP_PATH = /^\/t\/([^/]+)\/([^/]+)\/(mcp|sse|messages)\/?$/;
/** RFC 9728 §3.1: the well-known segment goes between the host and the resource's path. */
const RESOURCE_METADATA_PATH = /^\/\.well-known\/oauth-protected-resource\/t\/([^/]+)\/([^/]+)\/mcp\/?$/;

export function matchRoute(rawUrl: string): ProxyRoute {
  const q = rawUrl.indexOf('?');
  const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
  if (path === '/healthz') return { kind: 'healthz' };
  if (path === '/readyz') return { kind: 'readyz' };
  if (path === '/metrics') return { kind: 'metrics' };
  const m = MCP_PATH.exec(path);
  const mcp = serverPathOf(m);
  if (mcp) return { kind: 'mcp', ...mcp, endpoint: m![3] as McpEndpoint };
  const metadata = serverPathOf(RESOURCE_METADATA_PATH.exec(path));
  if (metadata) return { kind: 'resource_metadata', ...metadata };
  return { kind: 'not_found' };
}

/** Tenant slug and server name from a matched path; null when absent or not valid percent-encoding. */
function serverPathOf(match: RegExpExecArray | null): { tenantSlug: string; serverName: string } | null {
  if (!match) return null;
  try {
    return { tenantSlug: decodeURIComponent(match[1]!), serverName: decodeURIComponent(match[2]!) };
  } catch {
    return null;
  }
}
