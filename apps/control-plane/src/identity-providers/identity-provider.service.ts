import { randomUUID } from 'node:crypto';
import { Prisma, type IdentityProvider, type PrismaClient } from '@mcpg/db';
import { identityProviderProfiles, type SecretsKeyRing } from '@mcpg/policy';
import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { AdminChangeRecorder } from '../admin-changes/admin-change-recorder.js';
import type { ControlPlaneConfig } from '../config.js';
import { CONTROL_PLANE_CONFIG, PRISMA } from '../control-plane.tokens.js';
import { badUserInput, notFound } from '../errors/admin-error.js';
import { SnapshotPublisherService } from '../snapshots/snapshot-publisher.service.js';
import { SortDirection, type Connection, type PageArgs } from '../pagination/connection.model.js';
import { and, mapConnection, paginate } from '../pagination/paginate.js';
import { parseId, parseInput } from '../validation/parse-input.js';
import { discoverEndpoints } from './authorization-server-metadata.js';
import {
  createIdentityProviderInputSchema,
  fetchUrlSchema,
  identityProviderSchema,
  updateIdentityProviderInputSchema,
  type IdentityProviderFields,
} from './identity-provider.input.js';
import type { IdentityProviderModel } from './identity-provider.model.js';
import { openProviderSecret, sealProviderSecrets, type SecretColumn, type StoredProviderSecrets } from './stored-provider-secrets.js';

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
  crlPem: null,
} as const;

const FIELD_NAMES = [
  'name', 'kind', 'position', 'issuer', 'audiences', 'algorithms', 'jwksUri', 'jwks', 'hmacSecret', 'clockSkewSeconds',
  'subjectClaim', 'scopeClaim', 'introspectionUrl', 'clientId', 'clientSecret', 'profile', 'caBundlePem', 'certIdentityFrom', 'crlPem',
] as const;

/** The fields the admin sent; absent (undefined) ones are left out so they do not overwrite. */
function givenFields(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of FIELD_NAMES) if (input[name] !== undefined) out[name] = input[name];
  return out;
}

/**
 * http:// (allowed by the input schema on loopback only) needs MCPG_ALLOW_LOOPBACK_IDP_URLS:
 * otherwise a tenant admin could aim the proxies' JWKS and introspection requests, or the
 * control plane's discovery, at services listening on their loopback interface.
 */
function refuseLoopbackHttp(fields: Record<string, unknown>, names: readonly string[], isAllowed: boolean): void {
  if (isAllowed) return;
  for (const name of names) {
    const value = fields[name];
    if (typeof value === 'string' && value.startsWith('http:')) {
      throw badUserInput(name, `${name}: must be an https:// URL (http:// on loopback needs MCPG_ALLOW_LOOPBACK_IDP_URLS)`);
    }
  }
}

/**
 * An OAuth provider given neither keys nor an introspection endpoint gets them from its
 * authorization server's metadata (RFC 8414, or OIDC Discovery for the `oidc-discovery` profile).
 */
async function withDiscoveredEndpoints(fields: Record<string, unknown>, allowLoopbackHttp: boolean): Promise<Record<string, unknown>> {
  refuseLoopbackHttp(fields, ['jwksUri', 'introspectionUrl'], allowLoopbackHttp);
  const hasEndpoints = fields.jwksUri != null || fields.jwks != null || fields.hmacSecret != null || fields.introspectionUrl != null;
  if (fields.kind !== 'oauth' || hasEndpoints) return fields;
  const { issuer, profile } = parseInput(z.object({ issuer: fetchUrlSchema, profile: z.enum(identityProviderProfiles) }), fields);
  refuseLoopbackHttp({ issuer }, ['issuer'], allowLoopbackHttp);
  const discovered = await discoverEndpoints(issuer, profile);
  const canIntrospect = fields.clientId != null && fields.clientSecret != null;
  const withEndpoints = {
    ...fields,
    jwksUri: discovered.jwksUri,
    introspectionUrl: canIntrospect ? discovered.introspectionUrl : null,
  };
  // The metadata's own URLs obey the same rule as configured ones.
  refuseLoopbackHttp(withEndpoints, ['jwksUri', 'introspectionUrl'], allowLoopbackHttp);
  return withEndpoints;
}

/** The row's columns: secrets sealed (see stored-provider-secrets.ts), the JWK Set as JSON. */
function toData(id: string, fields: IdentityProviderFields, secretsKey: SecretsKeyRing | null) {
  const secrets: StoredProviderSecrets = { hmacSecret: fields.hmacSecret, clientSecret: fields.clientSecret };
  const hasSecrets = secrets.hmacSecret !== null || secrets.clientSecret !== null;
  if (hasSecrets && !secretsKey) {
    const field = secrets.hmacSecret !== null ? 'hmacSecret' : 'clientSecret';
    throw badUserInput(field, `${field}: identity provider secrets are stored and published sealed, which needs MCPG_UPSTREAM_CREDENTIALS_KEY on the control plane and the proxies`);
  }
  return {
    ...fields,
    ...(hasSecrets ? sealProviderSecrets(secretsKey!, id, secrets) : secrets),
    jwks: fields.jwks === null ? Prisma.DbNull : (fields.jwks as Prisma.InputJsonObject),
  };
}

/** The stored secrets the admin did not send again, in clear, so the update is validated as a whole. */
function storedSecretsInClear(existing: IdentityProvider, secretsKey: SecretsKeyRing | null, given: Record<string, unknown>): Partial<StoredProviderSecrets> {
  const kept: Partial<StoredProviderSecrets> = {};
  for (const column of ['hmacSecret', 'clientSecret'] as const satisfies readonly SecretColumn[]) {
    if (given[column] !== undefined || existing[column] === null) continue;
    const value = openProviderSecret(secretsKey, existing, column);
    // Sealed under a key this control plane no longer holds: only the admin can supply it again.
    if (value === null) throw badUserInput(column, `${column}: the stored secret does not open under the configured MCPG_UPSTREAM_CREDENTIALS_KEY; send it again`);
    kept[column] = value;
  }
  return kept;
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
    crlPem: row.crlPem,
    updatedAt: row.updatedAt,
  };
}

@Injectable()
export class IdentityProviderService {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(SnapshotPublisherService) private readonly snapshots: SnapshotPublisherService,
    @Inject(AdminChangeRecorder) private readonly changes: AdminChangeRecorder,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
  ) {}

  private get secretsKey(): SecretsKeyRing | null {
    return this.config.upstreamCredentialsKey ?? null;
  }

  /** Duplicate name or issuer in the tenant: CONFLICT. */
  async create(input: unknown, admin: AdminPrincipal): Promise<IdentityProviderModel> {
    const { tenantId, ...rest } = parseInput(createIdentityProviderInputSchema, input);
    const given = givenFields(rest);
    // Client CAs have no issuer; one per name keeps the (tenant, issuer) uniqueness meaningful.
    const issuer = given.kind === 'mtls' && given.issuer === undefined ? { issuer: `mtls:${String(given.name ?? '')}` } : {};
    // Discovery talks to the network: before the transaction, which holds the tenant's lock.
    const prepared = await withDiscoveredEndpoints({ ...DEFAULTS, ...issuer, ...given }, this.config.allowLoopbackIdpUrls === true);
    const row = await this.snapshots.change(tenantId, async (tx) => {
      const last = await tx.identityProvider.aggregate({ where: { tenantId }, _max: { position: true } });
      const fields = parseInput(identityProviderSchema, { position: (last._max.position ?? 0) + 1, ...prepared });
      // The id is chosen here because the sealed secrets are bound to it.
      const id = randomUUID();
      return tx.identityProvider.create({ data: { id, tenantId, ...toData(id, fields, this.secretsKey) } });
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
    const given = givenFields(rest);
    const inClear = { ...stored, ...storedSecretsInClear(existing, this.secretsKey, given), ...given };
    const fields = parseInput(identityProviderSchema, await withDiscoveredEndpoints(inClear, this.config.allowLoopbackIdpUrls === true));
    const row = await this.snapshots.change(tenantId, (tx) => tx.identityProvider.update({ where: { id }, data: toData(id, fields, this.secretsKey) }));
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

  /** One page of the tenant's providers, in the order the proxy tries them. */
  async listForTenant(tenantIdArg: string, page: PageArgs = {}): Promise<Connection<IdentityProviderModel>> {
    const tenantId = parseId('tenantId', tenantIdArg);
    if (!(await this.prisma.tenant.findUnique({ where: { id: tenantId }, select: { id: true } }))) throw notFound('tenantId', 'tenant');
    const rows = await paginate<IdentityProvider, 'position'>(page, {
      field: 'position',
      direction: SortDirection.ASC,
      findMany: (q) => this.prisma.identityProvider.findMany({ ...q, where: and({ tenantId }, q.where) }),
      count: () => this.prisma.identityProvider.count({ where: { tenantId } }),
    });
    return mapConnection(rows, toIdentityProviderModel);
  }
}
