import type { PrismaClient } from '@mcpg/db';
import { Inject } from '@nestjs/common';
import { Mutation, Resolver } from '@nestjs/graphql';
import { AnyAdmin } from '../admin-auth/access.decorator.js';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { CurrentAdmin } from '../admin-auth/current-admin.decorator.js';
import { AdminChangeRecorder } from '../admin-changes/admin-change-recorder.js';
import { PRISMA } from '../control-plane.tokens.js';
import { badUserInput } from '../errors/admin-error.js';

@Resolver()
export class AdminSessionResolver {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(AdminChangeRecorder) private readonly changes: AdminChangeRecorder,
  ) {}

  /** Ends the caller's own OIDC login session; its token stops working on the next request. */
  @AnyAdmin()
  @Mutation(() => Boolean, { description: 'Ends the calling OIDC login session. Admin tokens are revoked with revokeAdminToken instead.' })
  async logout(@CurrentAdmin() admin: AdminPrincipal): Promise<boolean> {
    if (admin.via !== 'oidc' || !admin.sessionId) throw badUserInput('authorization', 'only an OIDC login session can log out');
    await this.prisma.adminSession.update({ where: { id: admin.sessionId }, data: { revokedAt: new Date() } });
    this.changes.record(admin, { action: 'logout', targetType: 'AdminSession', targetId: admin.sessionId, tenantId: null });
    return true;
  }
}
