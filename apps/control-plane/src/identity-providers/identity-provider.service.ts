import type { IdentityProvider, Prisma, PrismaClient } from '@mcpg/db';
import { Inject, Injectable } from '@nestjs/common';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { AdminChangeRecorder } from '../admin-changes/admin-change-recorder.js';
import { PRISMA } from '../control-plane.tokens.js';
import { notFound } from '../errors/admin-error.js';
import { SnapshotPublisherService } from '../snapshots/snapshot-publisher.service.js';
import { parseId, parseInput } from '../validation/parse-input.js';
import {
  createIdentityProviderInputSchema,
  identityProviderSchema,
  updateIdentityProviderInputSchema,
  type IdentityProviderFields,
} from './identity-provider.input.js';
import type { IdentityProviderModel } from './identity-provider.model.js';

const DEFAULTS = {
  kind: 'jwt',
  audiences: [],
  algorithms: [],
  jwksUri: null,
  jwks: null,
  hmacSecret: null,
  clockSkewSeconds: 60,
  subjectClaim: 'sub',
  scopeClaim: 'scope',
  introspectionUrl: null,
  clientId: null,
  clientSecret: null,
  profile: 'standard',
  caBundlePem: null,
  certIdentityFrom: null,
} as const;

const FIELD_NAMES = [
  'name', 'kind', 'position', 'issuer', 'audiences', 'algorithms', 'jwksUri', 'jwks', 'hmacSecret', 'clockSkewSeconds',
  'subjectClaim', 'scopeClaim', 'introspectionUrl', 'clientId', 'clientSecret', 'profile', 'caBundlePem', 'certIdentityFrom',
] as const;

/** The fields the admin sent; absent (undefined) ones are left out so they do not overwrite. */
function givenFields(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of FIELD_NAMES) if (input[name] !== undefined) out[name] = input[name];
  return out;
}

function toData(fields: IdentityProviderFields) {
  return { ...fields, jwks: fields.jwks === null ? (null as unknown as Prisma.NullableJsonNullValueInput) : (fields.jwks as Prisma.InputJsonObject) };
}

export function toIdentityProviderModel(row: IdentityProvider): IdentityProviderModel {
  return {
    id: row.id,
    tenantId: row.tenantId,
    name: row.name,
    kind: row.kind,
    position: row.position,
    issuer: row.issuer,
    audiences: row.audiences,
    algorithms: row.algorithms,
    jwksUri: row.jwksUri,
    jwks: row.jwks === null ? null : JSON.stringify(row.jwks),
    hasHmacSecret: row.hmacSecret !== null,
    clockSkewSeconds: row.clockSkewSeconds,
    subjectClaim: row.subjectClaim,
    scopeClaim: row.scopeClaim,
    introspectionUrl: row.introspectionUrl,
    clientId: row.clientId,
    hasClientSecret: row.clientSecret !== null,
    profile: row.profile,
    caBundlePem: row.caBundlePem,
    certIdentityFrom: row.certIdentityFrom,
    updatedAt: row.updatedAt,
  };
}

@Injectable()
export class IdentityProviderService {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(SnapshotPublisherService) private readonly snapshots: SnapshotPublisherService,
    @Inject(AdminChangeRecorder) private readonly changes: AdminChangeRecorder,
  ) {}

  /** Duplicate name or issuer in the tenant: CONFLICT. */
  async create(input: unknown, admin: AdminPrincipal): Promise<IdentityProviderModel> {
    const { tenantId, ...rest } = parseInput(createIdentityProviderInputSchema, input);
    const row = await this.snapshots.change(tenantId, async (tx) => {
      const last = await tx.identityProvider.aggregate({ where: { tenantId }, _max: { position: true } });
      const given = givenFields(rest);
      // Client CAs have no issuer; one per name keeps the (tenant, issuer) uniqueness meaningful.
      const issuer = given.kind === 'mtls' && given.issuer === undefined ? { issuer: `mtls:${String(given.name ?? '')}` } : {};
      const fields = parseInput(identityProviderSchema, { ...DEFAULTS, position: (last._max.position ?? 0) + 1, ...issuer, ...given });
      return tx.identityProvider.create({ data: { tenantId, ...toData(fields) } });
    });
    const created = toIdentityProviderModel(row);
    this.changes.record(admin, { action: 'createIdentityProvider', targetType: 'IdentityProvider', targetId: row.id, tenantId, after: created });
    return created;
  }

  /** Omitted fields keep their values (secrets included); the result is validated as a whole. */
  async update(input: unknown, admin: AdminPrincipal): Promise<IdentityProviderModel> {
    const { id, ...rest } = parseInput(updateIdentityProviderInputSchema, input);
    const existing = await this.prisma.identityProvider.findUnique({ where: { id } });
    if (!existing) throw notFound('id', 'identity provider');
    const { id: _id, tenantId, createdAt: _c, updatedAt: _u, ...stored } = existing;
    const fields = parseInput(identityProviderSchema, { ...stored, ...givenFields(rest) });
    const row = await this.snapshots.change(tenantId, (tx) => tx.identityProvider.update({ where: { id }, data: toData(fields) }));
    const updated = toIdentityProviderModel(row);
    this.changes.record(admin, { action: 'updateIdentityProvider', targetType: 'IdentityProvider', targetId: id, tenantId, before: toIdentityProviderModel(existing), after: updated });
    return updated;
  }

  async delete(idArg: string, admin: AdminPrincipal): Promise<IdentityProviderModel> {
    const id = parseId('id', idArg);
    const existing = await this.prisma.identityProvider.findUnique({ where: { id } });
    if (!existing) throw notFound('id', 'identity provider');
    const row = await this.snapshots.change(existing.tenantId, (tx) => tx.identityProvider.delete({ where: { id } }));
    const deleted = toIdentityProviderModel(row);
    this.changes.record(admin, { action: 'deleteIdentityProvider', targetType: 'IdentityProvider', targetId: id, tenantId: existing.tenantId, before: deleted });
    return deleted;
  }

  async listForTenant(tenantIdArg: string): Promise<IdentityProviderModel[]> {
    const tenantId = parseId('tenantId', tenantIdArg);
    const tenant = await this.prisma.tenant.findUnique({
      where: { id: tenantId },
      select: { identityProviders: { orderBy: [{ position: 'asc' }, { id: 'asc' }] } },
    });
    if (!tenant) throw notFound('tenantId', 'tenant');
    return tenant.identityProviders.map(toIdentityProviderModel);
  }
}
