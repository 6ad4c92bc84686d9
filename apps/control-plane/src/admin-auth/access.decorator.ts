import type { PrismaClient } from '@mcpg/db';
import { SetMetadata } from '@nestjs/common';
import { badUserInput } from '../errors/admin-error.js';
import type { AccessNeed } from './admin-principal.js';

export const ACCESS_RULE = Symbol('AccessRule');

/**
 * Where the tenant an operation touches comes from. `find` returns the tenant id, or null when
 * the object named by the argument does not exist (answered NOT_FOUND naming `field`).
 */
export interface TenantLocator {
  /** The argument (or input field) the error names. */
  readonly field: string;
  find(args: Record<string, unknown>, parent: unknown, prisma: PrismaClient): Promise<string | null>;
}

export type AccessRule =
  /** Platform admins only; anyone else gets FORBIDDEN (the operation is not about one tenant). */
  | { readonly kind: 'platform' }
  /** Any authenticated admin; the resolver itself narrows what it shows (lists, `me`). */
  | { readonly kind: 'any-admin' }
  /** One tenant's objects: invisible tenants are NOT_FOUND, read-only ones FORBIDDEN for writes. */
  | { readonly kind: 'tenant'; readonly need: AccessNeed; readonly locate: TenantLocator };

/**
 * Every Query, Mutation and ResolveField carries exactly one of these; `AccessGuard` refuses
 * (fails closed on) any resolver that has none. Adopting it in a new resolver is one line:
 *
 *   @TenantWrite(tenantOf.arg('input.tenantId'))      // input names the tenant
 *   @TenantRead(tenantOf.row('apiKey', 'id'))          // argument is the id of a tenant-owned row
 *   @TenantRead(tenantOf.parent())                     // field of an object with `tenantId`
 */
export const PlatformOnly = () => SetMetadata(ACCESS_RULE, { kind: 'platform' } satisfies AccessRule);
export const AnyAdmin = () => SetMetadata(ACCESS_RULE, { kind: 'any-admin' } satisfies AccessRule);
export const TenantRead = (locate: TenantLocator) => SetMetadata(ACCESS_RULE, { kind: 'tenant', need: 'read', locate } satisfies AccessRule);
export const TenantWrite = (locate: TenantLocator) => SetMetadata(ACCESS_RULE, { kind: 'tenant', need: 'write', locate } satisfies AccessRule);
/** About one tenant but reserved to platform admins; the tenant's own admins get FORBIDDEN, others NOT_FOUND. */
export const TenantPlatformOnly = (locate: TenantLocator) => SetMetadata(ACCESS_RULE, { kind: 'tenant', need: 'platform', locate } satisfies AccessRule);

/** Prisma models that carry a `tenantId` column, so `tenantOf.row` can find a row's tenant. */
export type TenantOwnedModel = 'apiKey' | 'upstreamServer' | 'toolRule' | 'snapshot' | 'adminToken' | 'identityProvider' | 'auditSink' | 'denyRule';

interface TenantIdFinder {
  findUnique(args: { where: { id: string }; select: { tenantId: true } }): Promise<{ tenantId: string | null } | null>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function valueAt(args: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), args);
}

/** The id in `path`; a malformed one is BAD_USER_INPUT whoever asks (it names nothing, so it leaks nothing). */
function idAt(args: Record<string, unknown>, path: string): string | null {
  const value = valueAt(args, path);
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !UUID.test(value)) throw badUserInput(leaf(path), `${leaf(path)}: must be a UUID`);
  return value.toLowerCase();
}

const leaf = (path: string) => path.split('.').at(-1) ?? path;

export const tenantOf = {
  /** The argument is the tenant id itself (`tenantId`, `input.tenantId`). */
  arg(path: string): TenantLocator {
    return {
      field: leaf(path),
      find: async (args, _parent, prisma) => {
        const id = idAt(args, path);
        if (!id) return null;
        return (await prisma.tenant.findUnique({ where: { id }, select: { id: true } }))?.id ?? null;
      },
    };
  },
  /** The argument is a tenant slug. */
  slug(path: string): TenantLocator {
    return {
      field: leaf(path),
      find: async (args, _parent, prisma) => {
        const slug = valueAt(args, path);
        if (typeof slug !== 'string') return null;
        return (await prisma.tenant.findUnique({ where: { slug }, select: { id: true } }))?.id ?? null;
      },
    };
  },
  /** The argument is the id of a row owned by a tenant (an API key, a server, …). */
  row(model: TenantOwnedModel, path: string): TenantLocator {
    return {
      field: leaf(path),
      find: async (args, _parent, prisma) => {
        const id = idAt(args, path);
        if (!id) return null;
        const finder = prisma[model] as unknown as TenantIdFinder;
        return (await finder.findUnique({ where: { id }, select: { tenantId: true } }))?.tenantId ?? null;
      },
    };
  },
  /** A field of an object that is (`id`) or belongs to (`tenantId`) a tenant. */
  parent(key: 'id' | 'tenantId' = 'tenantId'): TenantLocator {
    return {
      field: key,
      find: async (_args, parent) => {
        const value = parent && typeof parent === 'object' ? (parent as Record<string, unknown>)[key] : undefined;
        return typeof value === 'string' ? value : null;
      },
    };
  },
};
