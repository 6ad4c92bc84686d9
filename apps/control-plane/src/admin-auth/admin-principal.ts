/** What an admin may do in one tenant. Platform admins may do everything everywhere. */
export type TenantRole = 'admin' | 'viewer';

/**
 * Who is making an admin request (DESIGN.md §8), resolved once per request from its bearer
 * credential: the bootstrap token, an admin API token, or an OIDC login session.
 */
export interface AdminPrincipal {
  /** Stable, non-secret name of the admin for audit events: `bootstrap`, `admin-token:<id>`, `oidc:<sub>`. */
  readonly subject: string;
  readonly via: 'bootstrap-token' | 'admin-token' | 'oidc';
  readonly isPlatformAdmin: boolean;
  /** Tenant id → role, for tenant admins and viewers. Empty for platform admins (they need none). */
  readonly tenantRoles: ReadonlyMap<string, TenantRole>;
  /** The login session behind an `oidc` principal (what `logout` revokes). */
  readonly sessionId?: string;
}

/** `platform`: about one tenant, but only platform admins may do it (suspend, delete, place in regions). */
export type AccessNeed = 'read' | 'write' | 'platform';

/** `visible` false means the tenant must look as if it did not exist (NOT_FOUND, never FORBIDDEN). */
export function tenantAccess(admin: AdminPrincipal, tenantId: string): { visible: boolean; writable: boolean } {
  if (admin.isPlatformAdmin) return { visible: true, writable: true };
  const role = admin.tenantRoles.get(tenantId);
  return { visible: role !== undefined, writable: role === 'admin' };
}

/** Tenant ids a list may show: every tenant for platform admins. */
export function visibleTenantIds(admin: AdminPrincipal): readonly string[] | 'all' {
  return admin.isPlatformAdmin ? 'all' : [...admin.tenantRoles.keys()];
}
