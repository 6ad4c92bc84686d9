import { z } from 'zod';
import type { TenantRole } from '../admin-auth/admin-principal.js';

/**
 * `MCPG_ADMIN_OIDC_ROLE_MAP`: JSON object from an IdP group to a role, e.g.
 * `{"mcpg-platform": "PLATFORM_ADMIN", "acme-ops": "TENANT_ADMIN:acme", "acme-audit": "TENANT_VIEWER:acme"}`
 * (tenants by slug). A user gets the union of the roles of all its groups; admin beats viewer.
 */
const roleSpec = z.union([
  z.literal('PLATFORM_ADMIN'),
  z.string().regex(/^TENANT_(ADMIN|VIEWER):[a-z0-9][a-z0-9-]{1,62}$/, 'must be PLATFORM_ADMIN, TENANT_ADMIN:<slug> or TENANT_VIEWER:<slug>'),
]);
export const oidcRoleMapSchema = z.record(z.string().min(1), roleSpec);
export type OidcRoleMap = z.infer<typeof oidcRoleMapSchema>;

export interface MappedRoles {
  readonly isPlatformAdmin: boolean;
  /** Tenant slug → role. */
  readonly tenantSlugs: ReadonlyMap<string, TenantRole>;
}

/** The roles the user's groups grant; groups the map does not name grant nothing. */
export function mapGroupsToRoles(map: OidcRoleMap, groups: readonly string[]): MappedRoles {
  let isPlatformAdmin = false;
  const tenantSlugs = new Map<string, TenantRole>();
  for (const group of groups) {
    const spec = map[group];
    if (!spec) continue;
    if (spec === 'PLATFORM_ADMIN') {
      isPlatformAdmin = true;
      continue;
    }
    const [kind, slug] = spec.split(':') as [string, string];
    const role: TenantRole = kind === 'TENANT_ADMIN' ? 'admin' : 'viewer';
    if (tenantSlugs.get(slug) !== 'admin') tenantSlugs.set(slug, role);
  }
  return { isPlatformAdmin, tenantSlugs };
}

/** Groups from the ID token: an array of strings, or one string; anything else counts as none. */
export function groupsFromClaims(claims: Record<string, unknown>, claim: string): string[] {
  const value = claims[claim];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((g): g is string => typeof g === 'string') : [];
}
