import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthError, TenantAuthenticator, type AuthenticatorServices, type Principal } from '@mcpg/auth';
import { errorResponse, MCPG_FORBIDDEN, MCPG_UNAUTHORIZED, type JsonRpcId } from '@mcpg/mcp';
import { scopesGranting, toolAccessForScopes, type CompiledApiKey, type CompiledPolicy, type ToolAccess } from '@mcpg/policy';
import type { Logger } from '@mcpg/observability';
import type { AuditFields } from './audit-recorder.js';
import type { ClientCertificateSource } from './client-certificate-source.js';
import { sendJsonRpc } from './http-replies.js';
import type { ProxyDeps } from './proxy-deps.js';

/** What the proxy needs to authenticate requests, shared by every tenant. */
export interface ProxyIdentityServices extends AuthenticatorServices {
  /** Base URL clients use to reach this proxy; resource identifiers (RFC 8707/9728) derive from it. */
  publicBaseUrl(): string;
  readonly clientCertificates: ClientCertificateSource;
}

const AUTH_MESSAGES: Record<AuthError['reason'], string> = {
  missing_credentials: 'Unauthorized: send a credential as "Authorization: Bearer …" (an MCP Guard API key or an access token)',
  unsupported_scheme: 'Unauthorized: the Authorization header must use the Bearer scheme',
  malformed_key: 'Unauthorized: the credential is not a well-formed MCP Guard API key',
  unknown_key: 'Unauthorized: unknown API key',
  revoked_key: 'Unauthorized: this API key has been revoked',
  expired_key: 'Unauthorized: this API key has expired',
  token_too_large: 'Unauthorized: the credential is larger than 16 KiB',
  malformed_token: 'Unauthorized: the bearer token is malformed',
  unknown_issuer: 'Unauthorized: the token\'s issuer is not an identity provider of this tenant',
  algorithm_not_allowed: 'Unauthorized: the token\'s signing algorithm is not allowed',
  unknown_key_id: 'Unauthorized: the token is signed with an unknown key',
  bad_signature: 'Unauthorized: the token\'s signature does not verify',
  token_expired: 'Unauthorized: the token has expired',
  token_not_yet_valid: 'Unauthorized: the token is not valid yet',
  wrong_issuer: 'Unauthorized: the token has the wrong issuer',
  wrong_audience: 'Unauthorized: the token is not meant for this resource',
  invalid_claims: 'Unauthorized: the token\'s claims are invalid',
  missing_subject: 'Unauthorized: the token names no subject',
  jwks_unavailable: 'Unauthorized: the identity provider\'s keys are unavailable; try again later',
  token_inactive: 'Unauthorized: the token is not active',
  introspection_unavailable: 'Unauthorized: the authorization server could not be asked about this token; try again later',
  certificate_untrusted: 'Unauthorized: the client certificate is not issued by a CA this tenant trusts',
  certificate_expired: 'Unauthorized: the client certificate is expired or not yet valid',
  certificate_revoked: 'Unauthorized: the client certificate has been revoked',
  certificate_revocation_unknown: 'Unauthorized: the tenant\'s certificate revocation list is out of date; the client certificate cannot be checked',
  certificate_without_identity: 'Unauthorized: the client certificate carries no identity of the configured kind',
};

export interface AuthenticatedRequest {
  readonly principal: Principal;
  /** The tools the principal may use: its API key's rule, or the rules of its scopes. */
  readonly access: ToolAccess;
}

/** One authenticator per snapshot version: verifiers and key sets are built once, not per request. */
const authenticators = new WeakMap<CompiledPolicy, TenantAuthenticator<CompiledApiKey>>();

function authenticatorFor(policy: CompiledPolicy, services: AuthenticatorServices, log: Logger): TenantAuthenticator<CompiledApiKey> {
  let authenticator = authenticators.get(policy);
  if (!authenticator) {
    authenticator = new TenantAuthenticator(policy, services);
    authenticators.set(policy, authenticator);
    for (const unusable of authenticator.unusableProviders) {
      log.error('identity provider keys unusable; its credentials are refused', { tenantId: policy.tenantId, version: policy.version, ...unusable });
    }
  }
  return authenticator;
}

/** `/t/{tenant}/{server}/mcp` under the public base URL: this MCP server's resource identifier. */
export function resourceUrlOf(deps: ProxyDeps, tenantSlug: string, serverName: string): string {
  return `${deps.identity.publicBaseUrl()}/t/${encodeURIComponent(tenantSlug)}/${encodeURIComponent(serverName)}/mcp`;
}

/** RFC 9728 §3.1: the metadata URL inserts the well-known segment before the resource's path. */
export function resourceMetadataUrlOf(deps: ProxyDeps, tenantSlug: string, serverName: string): string {
  return `${deps.identity.publicBaseUrl()}/.well-known/oauth-protected-resource/t/${encodeURIComponent(tenantSlug)}/${encodeURIComponent(serverName)}/mcp`;
}

/**
 * Authenticates the request for the tenant's server, or answers it with 401 (JSON-RPC error body,
 * `WWW-Authenticate` with the RFC 9728 metadata URL, `auth.failure` audit event) and returns null.
 */
export async function authenticateRequest(
  deps: ProxyDeps,
  policy: CompiledPolicy,
  serverName: string,
  req: IncomingMessage,
  res: ServerResponse,
  record: (fields: AuditFields) => void,
): Promise<AuthenticatedRequest | null> {
  const resourceUrl = resourceUrlOf(deps, policy.tenantSlug, serverName);
  const presented = deps.identity.clientCertificates.read(req);
  if (presented.isUntrustedHeader) {
    // Ignored: only a trusted reverse proxy may vouch for a certificate. Recorded, since it is
    // either a misconfiguration or someone trying to pass as another client.
    record({ kind: 'auth.failure', decision: 'deny', reason: 'client_cert_header_untrusted', status: null });
  }
  try {
    const { principal, apiKey } = await authenticatorFor(policy, deps.identity, deps.log).authenticate(
      req.headers.authorization,
      resourceUrl,
      Date.now(),
      presented.chain,
    );
    return { principal, access: apiKey ?? toolAccessForScopes(policy, principal.scopes, principal.subject) };
  } catch (err) {
    if (!(err instanceof AuthError)) throw err;
    deps.metrics.requests.inc({ outcome: 'unauthenticated' });
    record({ kind: 'auth.failure', decision: 'deny', reason: err.reason, status: 401 });
    const metadata = `resource_metadata="${resourceMetadataUrlOf(deps, policy.tenantSlug, serverName)}"`;
    // RFC 6750 §3: no error code when no credentials were sent at all.
    const challenge =
      err.reason === 'missing_credentials'
        ? `Bearer realm="mcp-guard", ${metadata}`
        : `Bearer realm="mcp-guard", error="invalid_token", ${metadata}`;
    sendJsonRpc(res, 401, errorResponse(null, MCPG_UNAUTHORIZED, AUTH_MESSAGES[err.reason], { reason: err.reason }), {
      'www-authenticate': challenge,
    });
    return null;
  }
}

/**
 * Step-up (MCP 2025-11-25, RFC 6750 §3.1): a token-holder whose scopes do not grant `toolName`,
 * where some scope would, gets the scopes to ask its authorization server for — the ones it has
 * plus one that grants the tool. Null when no scope grants it (a plain denial) or the principal
 * does not hold a token.
 */
export function stepUpScopesFor(policy: CompiledPolicy, principal: Principal, toolName: string): string[] | null {
  if (principal.via !== 'jwt' && principal.via !== 'oauth') return null;
  const granting = scopesGranting(policy, toolName);
  if (granting.length === 0) return null;
  return [...new Set([...principal.scopes, granting[0]!])];
}

/** HTTP 403 with the `insufficient_scope` challenge, so MCP clients can re-authorize with more scope. */
export function sendInsufficientScope(
  deps: ProxyDeps,
  policy: CompiledPolicy,
  serverName: string,
  res: ServerResponse,
  rpcId: JsonRpcId,
  toolName: string,
  scopes: readonly string[],
): number {
  const challenge = [
    'Bearer realm="mcp-guard"',
    'error="insufficient_scope"',
    `scope="${scopes.join(' ')}"`,
    `resource_metadata="${resourceMetadataUrlOf(deps, policy.tenantSlug, serverName)}"`,
    `error_description="tool ${toolName} needs more scope"`,
  ].join(', ');
  return sendJsonRpc(
    res,
    403,
    errorResponse(rpcId, MCPG_FORBIDDEN, `Forbidden: tool "${toolName}" needs one more scope; request: ${scopes.join(' ')}`, {
      reason: 'insufficient_scope',
      scope: scopes.join(' '),
    }),
    { 'www-authenticate': challenge },
  );
}
