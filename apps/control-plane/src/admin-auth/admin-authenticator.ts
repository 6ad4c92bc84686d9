import type { PrismaClient } from '@mcpg/db';
import { hashAdminToken, isAdminTokenFormat } from '../admin-tokens/admin-token-secret.js';
import type { AdminPrincipal, TenantRole } from './admin-principal.js';
import type { AdminTokenVerifier } from './admin-token.js';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** A further kind of admin credential (OIDC login sessions); returns null when it is not one of its own. */
export interface AdminCredentialResolver {
  resolve(bearer: string): Promise<AdminPrincipal | null>;
}

export const BOOTSTRAP_ADMIN: AdminPrincipal = {
  subject: 'bootstrap',
  via: 'bootstrap-token',
  isPlatformAdmin: true,
  tenantRoles: new Map(),
};

/**
 * Turns an `Authorization` header into an admin principal, or null (→ 401): the bootstrap
 * token when enabled, else an admin API token (unrevoked, unexpired), else any extra resolver.
 */
export class AdminAuthenticator {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly bootstrap: AdminTokenVerifier | undefined,
    private readonly extra: readonly AdminCredentialResolver[] = [],
  ) {}

  async authenticate(authorizationHeader: string | undefined): Promise<AdminPrincipal | null> {
    const bearer = authorizationHeader ? BEARER.exec(authorizationHeader)?.[1] : undefined;
    if (!bearer) return null;
    if (this.bootstrap?.isAuthorized(authorizationHeader)) return BOOTSTRAP_ADMIN;
    if (isAdminTokenFormat(bearer)) return this.fromAdminToken(bearer);
    for (const resolver of this.extra) {
      const principal = await resolver.resolve(bearer);
      if (principal) return principal;
    }
    return null;
  }

  private async fromAdminToken(secret: string): Promise<AdminPrincipal | null> {
    const token = await this.prisma.adminToken.findUnique({ where: { hash: hashAdminToken(secret) } });
    if (!token || token.revokedAt || (token.expiresAt && token.expiresAt.getTime() <= Date.now())) return null;
    const subject = `admin-token:${token.id}`;
    if (token.role === 'PLATFORM_ADMIN') return { subject, via: 'admin-token', isPlatformAdmin: true, tenantRoles: new Map() };
    if (!token.tenantId) return null;
    const role: TenantRole = token.role === 'TENANT_ADMIN' ? 'admin' : 'viewer';
    return { subject, via: 'admin-token', isPlatformAdmin: false, tenantRoles: new Map([[token.tenantId, role]]) };
  }
}
