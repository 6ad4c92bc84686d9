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
  if (m) {
    try {
      return { kind: 'mcp', tenantSlug: decodeURIComponent(m[1]!), serverName: decodeURIComponent(m[2]!), endpoint: m[3] as McpEndpoint };
    } catch {
      return { kind: 'not_found' };
    }
  }
  const meta = RESOURCE_METADATA_PATH.exec(path);
  if (meta) {
    try {
      return { kind: 'resource_metadata', tenantSlug: decodeURIComponent(meta[1]!), serverName: decodeURIComponent(meta[2]!) };
    } catch {
      return { kind: 'not_found' };
    }
  }
  return { kind: 'not_found' };
}
