import { tenantLimitsSchema, type TenantLimits } from '@mcpg/policy';

/** The stored overrides (Tenant.limits JSON); anything unreadable counts as none, as every write was validated. */
export function tenantLimitsOf(tenant: { limits?: unknown }): TenantLimits {
  const parsed = tenantLimitsSchema.safeParse(tenant.limits ?? {});
  return parsed.success ? parsed.data : {};
}
