import type { ServerResponse } from 'node:http';
import { resourceUrlOf } from './authenticate-request.js';
import { sendHttpError, sendJson } from './http-replies.js';
import type { ProxyDeps } from './proxy-deps.js';

/**
 * RFC 9728 protected-resource metadata for one MCP server behind the proxy: MCP clients read it
 * (found through `resource_metadata` in every 401) to discover which authorization servers issue
 * tokens for this resource and which scopes exist.
 */
export function sendProtectedResourceMetadata(deps: ProxyDeps, tenantSlug: string, serverName: string, res: ServerResponse): void {
  const policy = deps.store.findBySlug(tenantSlug);
  if (!policy || !policy.serversByName.has(serverName)) {
    sendHttpError(res, 404, 'not_found', 'Not found: no such MCP server');
    return;
  }
  const authorizationServers = [...new Set(policy.identityProviders.filter((p) => p.kind === 'oauth').map((p) => p.issuer))];
  sendJson(
    res,
    200,
    {
      resource: resourceUrlOf(deps, tenantSlug, serverName),
      authorization_servers: authorizationServers,
      scopes_supported: [...policy.scopeRules.keys()].sort(),
      bearer_methods_supported: ['header'],
      resource_name: `${tenantSlug}/${serverName}`,
    },
    { 'cache-control': 'public, max-age=60' },
  );
}
