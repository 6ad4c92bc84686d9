import { z } from 'zod';

/** Tenant slugs and server names are path segments in proxy URLs: /t/{slug}/{server}/mcp. */
export const pathSegmentSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be 2-63 characters of a-z, 0-9 and "-", starting with a letter or digit');

/** Human-readable names of tenants and keys. */
export const displayNameSchema = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');

/** Optimistic concurrency: the tenant's snapshot version the admin last saw; CONFLICT if it moved on. */
export const expectedVersionSchema = z.number().int().positive().nullish();
export const EXPECTED_VERSION_DESCRIPTION =
  "Optimistic concurrency: the tenant's snapshotVersion this change is based on. If the tenant has moved on, the change is refused with CONFLICT.";

/** Ids are UUIDs; anything else cannot name a row, so it is refused before any query. */
export const idSchema = z.guid('must be a UUID');
