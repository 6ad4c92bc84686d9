import { Inject } from '@nestjs/common';
import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { ApiKeyModel } from '../api-keys/api-key.model.js';
import { ApiKeyService } from '../api-keys/api-key.service.js';
import { UpstreamServerModel } from '../servers/server.model.js';
import { ServerService } from '../servers/server.service.js';
import { SnapshotService } from '../snapshots/snapshot.service.js';
import { CreateTenantInput, SetAllowedOriginsInput, SetTenantLimitsInput } from './tenant.input.js';
import { TenantLimitsModel, TenantModel } from './tenant.model.js';
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

  @Mutation(() => TenantModel, { description: 'Creates a tenant and publishes its first snapshot (version 1).' })
  createTenant(@Args('input', { type: () => CreateTenantInput }) input: CreateTenantInput): Promise<TenantModel> {
    return this.tenantService.create(input);
  }

  @Mutation(() => TenantModel, { description: "Replaces the tenant's request-limit overrides (proxy defaults apply to omitted fields)." })
  setTenantLimits(@Args('input', { type: () => SetTenantLimitsInput }) input: SetTenantLimitsInput): Promise<TenantModel> {
    return this.tenantService.setLimits(input);
  }

  @Mutation(() => TenantModel, { description: 'Replaces the browser origins allowed to call the tenant (DNS-rebinding protection).' })
  setAllowedOrigins(@Args('input', { type: () => SetAllowedOriginsInput }) input: SetAllowedOriginsInput): Promise<TenantModel> {
    return this.tenantService.setAllowedOrigins(input);
  }

  @Query(() => [TenantModel])
  tenants(): Promise<TenantModel[]> {
    return this.tenantService.list();
  }

  @Query(() => TenantModel, { description: 'NOT_FOUND when no tenant has this id.' })
  tenant(@Args('id', { type: () => ID }) id: string): Promise<TenantModel> {
    return this.tenantService.get(id);
  }

  @ResolveField('apiKeys', () => [ApiKeyModel])
  apiKeysOf(@Parent() tenant: TenantModel): Promise<ApiKeyModel[]> {
    return this.apiKeyService.listForTenant(tenant.id);
  }

  @ResolveField('servers', () => [UpstreamServerModel])
  serversOf(@Parent() tenant: TenantModel): Promise<UpstreamServerModel[]> {
    return this.serverService.listForTenant(tenant.id);
  }

  @ResolveField('limits', () => TenantLimitsModel)
  limitsOf(@Parent() tenant: { limits?: unknown }): TenantLimitsModel {
    return tenantLimitsOf(tenant);
  }

  @ResolveField('snapshotVersion', () => Int, { description: 'Version of the latest published snapshot.' })
  snapshotVersionOf(@Parent() tenant: TenantModel): Promise<number> {
    return this.snapshotService.latestVersion(tenant.id);
  }
}
