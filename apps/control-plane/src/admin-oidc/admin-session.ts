import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '@mcpg/db';
import { z } from 'zod';
import type { AdminCredentialResolver } from '../admin-auth/admin-authenticator.js';
import type { AdminPrincipal, TenantRole } from '../admin-auth/admin-principal.js';

/** Bearer token of an OIDC login session: `mcpgs_` + 32 random bytes. Only its SHA-256 is stored. */
const SESSION_TOKEN = /^mcpgs_[A-Za-z0-9_-]{43}$/;

export function newSessionToken(): { secret: string; hash: string } {
  const secret = `mcpgs_${randomBytes(32).toString('base64url')}`;
  return { secret, hash: hashSessionToken(secret) };
}

function hashSessionToken(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

const grantsSchema = z.array(z.object({ tenantId: z.string(), role: z.enum(['admin', 'viewer']) }));

/** Resolves `mcpgs_…` bearer tokens to the admin who logged in (unexpired, unrevoked sessions). */
export class AdminSessionCredentials implements AdminCredentialResolver {
  constructor(private readonly prisma: PrismaClient) {}

  async resolve(bearer: string): Promise<AdminPrincipal | null> {
    if (!SESSION_TOKEN.test(bearer)) return null;
    const session = await this.prisma.adminSession.findUnique({ where: { hash: hashSessionToken(bearer) } });
    if (!session || session.revokedAt || session.expiresAt.getTime() <= Date.now()) return null;
    const grants = grantsSchema.safeParse(session.tenantGrants);
    return {
      subject: session.subject,
      via: 'oidc',
      sessionId: session.id,
      isPlatformAdmin: session.isPlatformAdmin,
      tenantRoles: new Map<string, TenantRole>(grants.success ? grants.data.map((g) => [g.tenantId, g.role]) : []),
    };
  }
}
