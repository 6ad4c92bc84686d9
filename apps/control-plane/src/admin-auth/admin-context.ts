import type { FastifyRequest } from 'fastify';
import { GraphQLError } from 'graphql';
import type { AdminTokenVerifier } from './admin-token.js';

/** Who is making an admin request. Only the bootstrap token exists so far; RBAC (DESIGN.md §8) adds more. */
export interface AdminPrincipal {
  readonly via: 'bootstrap-token';
}

export interface AdminContext {
  readonly req: FastifyRequest;
  readonly admin: AdminPrincipal;
}

/**
 * Builds the GraphQL context, refusing the request when the admin token is missing or wrong.
 * Authentication lives here rather than in a resolver guard because guards only run for
 * resolved fields: introspection and invalid documents would otherwise answer without a token.
 * Apollo answers a failed context with HTTP 401 and no `data`, carrying
 * `extensions.code = 'UNAUTHENTICATED'`.
 */
export function createAdminContext(verifier: AdminTokenVerifier) {
  return (req: FastifyRequest): AdminContext => {
    if (!verifier.isAuthorized(req.headers.authorization)) {
      throw new GraphQLError('missing or invalid admin bearer token', {
        extensions: {
          code: 'UNAUTHENTICATED',
          http: { status: 401, headers: new Map([['www-authenticate', 'Bearer realm="mcp-guard-admin"']]) },
        },
      });
    }
    return { req, admin: { via: 'bootstrap-token' } };
  };
}
