import { Inject } from '@nestjs/common';
import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { AnyAdmin, PlatformOnly, TenantPlatformOnly, TenantRead, TenantWrite, tenantOf } from '../admin-auth/access.decorator.js';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { CurrentAdmin } from '../admin-auth/current-admin.decorator.js';
import { ApiKeyConnection, ApiKeyModel } from '../api-keys/api-key.model.js';
import { ApiKeyService } from '../api-keys/api-key.service.js';
import { UpstreamServerConnection, UpstreamServerModel } from '../servers/server.model.js';
import { ServerService } from '../servers/server.service.js';
import { SnapshotService } from '../snapshots/snapshot.service.js';
import { PageArgs, type Connection } from '../pagination/connection.model.js';
import { CreateTenantInput, SetAllowedOriginsInput, SetTenantLimitsInput, TenantFilter, TenantOrder } from './tenant.input.js';
import { TenantConnection, TenantLimitsModel, TenantModel } from './tenant.model.js';
import { tenantLimitsOf } from './tenant-limits.js';
import { TenantService } from './tenant.service.js';

@Resolver(() => TenantModel)
export class TenantResolver {
  constructor(
    @Inject(TenantService) private readonly tenantService: TenantService,
    @Inject(ApiKeyService) private readonly apiKeyService: ApiKeyService,
    @Inject(ServerService) private readonly serverService: ServerService,
    @Inject(SnapshotService) private readonly snapshotService: SnapshotService,
  ) {}

  @PlatformOnly()
  @Mutation(() => TenantModel, { description: 'Creates a tenant and publishes its first snapshot (version 1). Platform admins only.' })
  createTenant(
    @Args('input', { type: () => CreateTenantInput }) input: CreateTenantInput,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<TenantModel> {
    return this.tenantService.create(input, admin);
  }

  @TenantPlatformOnly(tenantOf.arg('id'))
  @Mutation(() => TenantModel, { description: 'Withdraws the tenant from every proxy (404 on its routes) until resumed. Idempotent.' })
  suspendTenant(@Args('id', { type: () => ID }) id: string, @CurrentAdmin() admin: AdminPrincipal): Promise<TenantModel> {
    return this.tenantService.suspend(id, admin);
  }

  @TenantWrite(tenantOf.arg('input.tenantId'))
  @Mutation(() => TenantModel, { description: "Replaces the tenant's request-limit overrides (proxy defaults apply to omitted fields)." })
  setTenantLimits(
    @Args('input', { type: () => SetTenantLimitsInput }) input: SetTenantLimitsInput,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<TenantModel> {
    return this.tenantService.setLimits(input, admin);
  }

  @TenantWrite(tenantOf.arg('input.tenantId'))
  @Mutation(() => TenantModel, { description: 'Replaces the browser origins allowed to call the tenant (DNS-rebinding protection).' })
  setAllowedOrigins(
    @Args('input', { type: () => SetAllowedOriginsInput }) input: SetAllowedOriginsInput,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<TenantModel> {
    return this.tenantService.setAllowedOrigins(input, admin);
  }

  @TenantPlatformOnly(tenantOf.arg('id'))
  @Mutation(() => TenantModel, { description: 'Publishes a suspended tenant again. Idempotent.' })
  resumeTenant(@Args('id', { type: () => ID }) id: string, @CurrentAdmin() admin: AdminPrincipal): Promise<TenantModel> {
    return this.tenantService.resume(id, admin);
  }

  @TenantPlatformOnly(tenantOf.arg('id'))
  @Mutation(() => TenantModel, { description: 'Deletes the tenant and all it owns; proxies drop it. Exported audit history is kept.' })
  deleteTenant(@Args('id', { type: () => ID }) id: string, @CurrentAdmin() admin: AdminPrincipal): Promise<TenantModel> {
    return this.tenantService.delete(id, admin);
  }

  @AnyAdmin()
  @Query(() => TenantConnection, { description: 'The tenants the caller may see, one page at a time.' })
  tenants(
    @CurrentAdmin() admin: AdminPrincipal,
    @Args() page: PageArgs,
    @Args('filter', { type: () => TenantFilter, nullable: true }) filter?: TenantFilter | null,
    @Args('orderBy', { type: () => TenantOrder, nullable: true }) orderBy?: TenantOrder | null,
  ): Promise<Connection<TenantModel>> {
    return this.tenantService.list(admin, page, filter, orderBy);
  }

  @TenantRead(tenantOf.arg('id'))
  @Query(() => TenantModel, { description: 'NOT_FOUND when no tenant has this id (or the caller may not see it).' })
  tenant(@Args('id', { type: () => ID }) id: string): Promise<TenantModel> {
    return this.tenantService.get(id);
  }

  @TenantRead(tenantOf.slug('slug'))
  @Query(() => TenantModel, { description: 'NOT_FOUND when no tenant has this slug (or the caller may not see it).' })
  tenantBySlug(@Args('slug', { type: () => String }) slug: string): Promise<TenantModel> {
    return this.tenantService.getBySlug(slug);
  }

  @TenantRead(tenantOf.parent('id'))
  @ResolveField('apiKeys', () => ApiKeyConnection)
  apiKeysOf(@Parent() tenant: TenantModel, @Args() page: PageArgs): Promise<Connection<ApiKeyModel>> {
    return this.apiKeyService.listForTenant(tenant.id, page);
  }

  @TenantRead(tenantOf.parent('id'))
  @ResolveField('servers', () => UpstreamServerConnection)
  serversOf(@Parent() tenant: TenantModel, @Args() page: PageArgs): Promise<Connection<UpstreamServerModel>> {
    return this.serverService.listForTenant(tenant.id, page);
  }

  @TenantRead(tenantOf.parent('id'))
  @ResolveField('limits', () => TenantLimitsModel)
  limitsOf(@Parent() tenant: { limits?: unknown }): TenantLimitsModel {
    return tenantLimitsOf(tenant);
  }

  @TenantRead(tenantOf.parent('id'))
  @ResolveField('snapshotVersion', () => Int, { description: 'Version of the latest published snapshot.' })
  snapshotVersionOf(@Parent() tenant: TenantModel): Promise<number> {
    return this.snapshotService.latestVersion(tenant.id);
  }
}
