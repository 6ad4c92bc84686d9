import type { PrismaClient } from '@mcpg/db';
import type { Logger } from '@mcpg/observability';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import * as oidc from 'openid-client';
import type { AdminOidcConfig } from '../config.js';
import { newSessionToken } from './admin-session.js';
import { groupsFromClaims, mapGroupsToRoles } from './oidc-role-map.js';

/** How long a login may take between leaving for the IdP and coming back. */
const LOGIN_TTL_SECONDS = 600;

interface PendingLogin {
  verifier: string;
  nonce: string;
}

/**
 * Admin login through the organisation's OpenID Connect provider: authorization code flow with
 * PKCE (S256), state and nonce (OpenID Connect Core §3.1, RFC 7636), done by openid-client,
 * which also validates the ID token (signature from the IdP's JWKS, iss, aud, exp, nonce).
 *
 * `GET /auth/oidc/login` redirects to the IdP; `GET /auth/oidc/callback` (the registered
 * redirect URI) exchanges the code, maps the groups claim to roles and answers a session bearer
 * token (`mcpgs_…`, shown once) for the GraphQL API. Pending logins live in Redis for ten
 * minutes and are consumed once, so every control-plane replica can finish any login.
 */
export function registerOidcLogin(
  fastify: FastifyInstance,
  deps: { config: AdminOidcConfig; prisma: PrismaClient; redis: Redis; keyPrefix: string; logger: Logger },
): void {
  const { config, prisma, redis, logger } = deps;
  const pendingKey = (state: string) => `${deps.keyPrefix}mcpg:oidc:login:${state}`;
  let discovered: Promise<oidc.Configuration> | undefined;
  const configuration = () => {
    discovered ??= oidc
      .discovery(new URL(config.issuer), config.clientId, config.clientSecret, undefined, config.isHttpAllowed ? { execute: [oidc.allowInsecureRequests] } : undefined)
      .catch((err: unknown) => {
        discovered = undefined; // retry discovery on the next login
        throw err;
      });
    return discovered;
  };

  fastify.get('/auth/oidc/login', async (_req, reply) => {
    let server: oidc.Configuration;
    try {
      server = await configuration();
    } catch (err) {
      logger.error('oidc discovery failed', { err });
      return problem(reply, 502, 'identity provider unavailable');
    }
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    await redis.set(pendingKey(state), JSON.stringify({ verifier, nonce } satisfies PendingLogin), 'EX', LOGIN_TTL_SECONDS);
    const url = oidc.buildAuthorizationUrl(server, {
      redirect_uri: config.redirectUri,
      scope: config.scopes,
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    return reply.header('cache-control', 'no-store').redirect(url.href, 302);
  });

  fastify.get('/auth/oidc/callback', async (req, reply) => {
    const query = new URLSearchParams(req.url.split('?')[1] ?? '');
    const state = query.get('state');
    const raw = state ? await redis.getdel(pendingKey(state)) : null;
    if (!raw) return problem(reply, 400, 'unknown or expired login; start again at /auth/oidc/login');
    if (query.get('error')) return problem(reply, 401, `identity provider refused the login: ${query.get('error')}`);
    const pending = JSON.parse(raw) as PendingLogin;
    // The URL the IdP redirected to, rebuilt from the configured redirect URI (the request may
    // have come through a proxy that rewrote the host).
    const currentUrl = new URL(config.redirectUri);
    currentUrl.search = query.toString();
    let claims: Record<string, unknown>;
    try {
      const tokens = await oidc.authorizationCodeGrant(await configuration(), currentUrl, {
        pkceCodeVerifier: pending.verifier,
        expectedState: state!,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims() ?? {};
    } catch (err) {
      logger.warn('oidc login failed', { err: err instanceof Error ? err.message : String(err) });
      return problem(reply, 401, 'login failed');
    }
    const sub = String(claims.sub);
    const roles = mapGroupsToRoles(config.roleMap, groupsFromClaims(claims, config.groupsClaim));
    const tenants = await prisma.tenant.findMany({ where: { slug: { in: [...roles.tenantSlugs.keys()] } }, select: { id: true, slug: true } });
    const grants = tenants.map((t) => ({ tenantId: t.id, slug: t.slug, role: roles.tenantSlugs.get(t.slug)! }));
    if (!roles.isPlatformAdmin && grants.length === 0) {
      logger.warn('oidc login without any mapped role', { subject: `oidc:${sub}` });
      return problem(reply, 403, 'your groups grant no role in MCP Guard');
    }
    const { secret, hash } = newSessionToken();
    const expiresAt = new Date(Date.now() + config.sessionTtlSeconds * 1000);
    const name = typeof claims.email === 'string' ? claims.email : typeof claims.name === 'string' ? claims.name : null;
    await prisma.adminSession.create({
      data: {
        hash,
        subject: `oidc:${sub}`,
        name,
        isPlatformAdmin: roles.isPlatformAdmin,
        tenantGrants: grants.map(({ tenantId, role }) => ({ tenantId, role })),
        expiresAt,
      },
    });
    logger.info('admin logged in through oidc', { subject: `oidc:${sub}`, isPlatformAdmin: roles.isPlatformAdmin, tenants: grants.length });
    return reply
      .header('cache-control', 'no-store')
      .send({
        token: secret,
        tokenType: 'Bearer',
        expiresAt: expiresAt.toISOString(),
        subject: `oidc:${sub}`,
        isPlatformAdmin: roles.isPlatformAdmin,
        tenants: grants.map(({ slug, role }) => ({ slug, role })),
      });
  });
}

function problem(reply: FastifyReply, status: number, detail: string): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').type('application/problem+json').send({ status, detail });
}
