import type { FastifyRequest } from 'fastify';
import { GraphQLError } from 'graphql';
import type { AdminAuthenticator } from './admin-authenticator.js';
import type { AdminPrincipal } from './admin-principal.js';

export type { AdminPrincipal } from './admin-principal.js';

export interface AdminContext {
  readonly req: FastifyRequest;
  readonly admin: AdminPrincipal;
}

/**
 * Builds the GraphQL context, refusing the request when no valid admin credential is presented.
 * Authentication lives here rather than in a resolver guard because guards only run for
 * resolved fields: introspection and invalid documents would otherwise answer without a token.
 * Apollo answers a failed context with HTTP 401 and no `data`, carrying
 * `extensions.code = 'UNAUTHENTICATED'`. Authorization is `AccessGuard`'s job.
 */
export function createAdminContext(authenticator: AdminAuthenticator) {
  return async (req: FastifyRequest): Promise<AdminContext> => {
    // A database failure must not surface as Apollo's "Context creation failed: <driver message>".
    const admin = await authenticator.authenticate(req.headers.authorization).catch(() => {
      throw new GraphQLError('internal error', { extensions: { code: 'INTERNAL_SERVER_ERROR', http: { status: 500 } } });
    });
    if (!admin) {
      throw new GraphQLError('missing or invalid admin bearer token', {
        extensions: {
          code: 'UNAUTHENTICATED',
          http: { status: 401, headers: new Map([['www-authenticate', 'Bearer realm="mcp-guard-admin"']]) },
        },
      });
    }
    return { req, admin };
  };
}
