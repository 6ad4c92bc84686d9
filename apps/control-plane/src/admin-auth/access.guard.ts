import type { PrismaClient } from '@mcpg/db';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { PRISMA } from '../control-plane.tokens.js';
import { forbidden, notFound } from '../errors/admin-error.js';
import { ACCESS_RULE, type AccessRule } from './access.decorator.js';
import type { AdminContext } from './admin-context.js';
import { tenantAccess, type AccessNeed, type AdminPrincipal } from './admin-principal.js';

/**
 * Authorizes every resolver, root and field alike (registered as APP_GUARD, and for field
 * resolvers through `fieldResolverEnhancers`). A resolver without an access rule is refused:
 * forgetting the decorator fails closed, never open.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(PRISMA) private readonly prisma: PrismaClient,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const gql = GqlExecutionContext.create(context);
    const rule = this.reflector.get<AccessRule | undefined>(ACCESS_RULE, context.getHandler());
    const { admin } = gql.getContext<AdminContext>();
    if (!rule) throw forbidden('resolver has no access rule');
    switch (rule.kind) {
      case 'any-admin':
        return true;
      case 'platform':
        if (!admin.isPlatformAdmin) throw forbidden('only platform admins may do this');
        return true;
      case 'tenant': {
        const tenantId = await rule.locate.find(gql.getArgs<Record<string, unknown>>(), gql.getRoot<unknown>(), this.prisma);
        assertTenantAccess(admin, tenantId, rule.need, rule.locate.field);
        return true;
      }
    }
  }
}

/**
 * The one tenant-access check, also for services deciding on data the guard cannot see. A tenant
 * the admin may not see is answered exactly like one that does not exist.
 */
export function assertTenantAccess(admin: AdminPrincipal, tenantId: string | null, need: AccessNeed, field: string): asserts tenantId is string {
  const access = tenantId === null ? { visible: false, writable: false } : tenantAccess(admin, tenantId);
  if (!access.visible) throw notFound(field, 'record');
  if (need === 'write' && !access.writable) throw forbidden('this role may only read this tenant');
  if (need === 'platform' && !admin.isPlatformAdmin) throw forbidden('only platform admins may do this');
}
