import { Inject } from '@nestjs/common';
import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { PlatformOnly, TenantPlatformOnly, TenantRead, tenantOf } from '../admin-auth/access.decorator.js';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { CurrentAdmin } from '../admin-auth/current-admin.decorator.js';
import { maskUrlPassword } from '../admin-changes/without-secrets.js';
import { TenantModel } from '../tenants/tenant.model.js';
import { CreateRegionInput, SetTenantRegionsInput } from './region.input.js';
import { PageArgs, type Connection } from '../pagination/connection.model.js';
import { paginateList } from '../pagination/paginate.js';
import { ProxyStatusConnection, ProxyStatusModel, RegionConnection, RegionModel, RolloutModel } from './region.model.js';
import { RegionService } from './region.service.js';
import { RolloutService } from './rollout.service.js';

@Resolver(() => RegionModel)
export class RegionResolver {
  constructor(
    @Inject(RegionService) private readonly regionService: RegionService,
    @Inject(RolloutService) private readonly rolloutService: RolloutService,
  ) {}

  @PlatformOnly()
  @Mutation(() => RegionModel)
  createRegion(@Args('input', { type: () => CreateRegionInput }) input: CreateRegionInput, @CurrentAdmin() admin: AdminPrincipal): Promise<RegionModel> {
    return this.regionService.create(input, admin);
  }

  @PlatformOnly()
  @Mutation(() => RegionModel, { description: 'CONFLICT while tenants still run in the region.' })
  deleteRegion(@Args('id', { type: () => ID }) id: string, @CurrentAdmin() admin: AdminPrincipal): Promise<RegionModel> {
    return this.regionService.delete(id, admin);
  }

  @TenantPlatformOnly(tenantOf.arg('input.tenantId'))
  @Mutation(() => [RegionModel], { description: 'Places the tenant in exactly these regions: published to new ones, tombstoned in the ones it leaves.' })
  setTenantRegions(
    @Args('input', { type: () => SetTenantRegionsInput }) input: SetTenantRegionsInput,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<RegionModel[]> {
    return this.regionService.setTenantRegions(input, admin);
  }

  @PlatformOnly()
  @Query(() => RegionConnection)
  regions(@Args() page: PageArgs): Promise<Connection<RegionModel>> {
    return this.regionService.list(page);
  }

  @TenantRead(tenantOf.arg('tenantId'))
  @Query(() => RolloutModel, { description: "Which live proxies enforce which version of the tenant's snapshot, per region." })
  rollout(@Args('tenantId', { type: () => ID }) tenantId: string): Promise<RolloutModel> {
    return this.rolloutService.rollout(tenantId);
  }

  @PlatformOnly()
  @Query(() => ProxyStatusConnection, { description: 'Every live proxy of every region, by the region it reported through, then proxy id.' })
  proxies(@Args() page: PageArgs): Promise<Connection<ProxyStatusModel>> {
    return this.rolloutService.proxies(page);
  }

  /** Infrastructure detail: platform admins only, password masked. */
  @PlatformOnly()
  @ResolveField('redisUrl', () => String)
  redisUrlOf(@Parent() region: RegionModel): string {
    return maskUrlPassword(region.redisUrl);
  }
}

@Resolver(() => TenantModel)
export class TenantRegionsResolver {
  constructor(@Inject(RegionService) private readonly regionService: RegionService) {}

  @TenantRead(tenantOf.parent('id'))
  @ResolveField('regions', () => RegionConnection, { description: 'Regions the tenant runs in, by name; empty: the default region.' })
  async regionsOf(@Parent() tenant: TenantModel, @Args() page: PageArgs): Promise<Connection<RegionModel>> {
    // A tenant runs in a handful of regions: paged in memory, with the same cursors as every list.
    return paginateList(page, await this.regionService.listForTenant(tenant.id), (region) => region.name);
  }
}
