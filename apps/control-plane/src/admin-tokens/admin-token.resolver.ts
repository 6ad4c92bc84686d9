import { Inject } from '@nestjs/common';
import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { AnyAdmin } from '../admin-auth/access.decorator.js';
import { CurrentAdmin } from '../admin-auth/current-admin.decorator.js';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { CreateAdminTokenInput } from './admin-token.input.js';
import { PageArgs, type Connection } from '../pagination/connection.model.js';
import { paginateList } from '../pagination/paginate.js';
import {
  AdminIdentityModel,
  AdminRoleModel,
  AdminTokenConnection,
  AdminTokenModel,
  CreatedAdminTokenModel,
  TenantGrantConnection,
  type TenantGrantModel,
} from './admin-token.model.js';
import { AdminTokenService } from './admin-token.service.js';

// Who may issue or revoke a token depends on the token's role and tenant, so these resolvers are
// open to any admin and `AdminTokenService` makes the tenant-access decision itself.
@Resolver(() => AdminTokenModel)
export class AdminTokenResolver {
  constructor(@Inject(AdminTokenService) private readonly adminTokenService: AdminTokenService) {}

  @AnyAdmin()
  @Mutation(() => CreatedAdminTokenModel, { description: 'The secret is in this response only.' })
  createAdminToken(
    @Args('input', { type: () => CreateAdminTokenInput }) input: CreateAdminTokenInput,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<CreatedAdminTokenModel> {
    return this.adminTokenService.create(input, admin);
  }

  @AnyAdmin()
  @Mutation(() => AdminTokenModel, { description: 'The token stops working immediately. Idempotent.' })
  revokeAdminToken(@Args('id', { type: () => ID }) id: string, @CurrentAdmin() admin: AdminPrincipal): Promise<AdminTokenModel> {
    return this.adminTokenService.revoke(id, admin);
  }

  @AnyAdmin()
  @Query(() => AdminTokenConnection, { description: 'Admin tokens the caller may see, one page at a time; never a hash or secret.' })
  adminTokens(
    @CurrentAdmin() admin: AdminPrincipal,
    @Args() page: PageArgs,
    @Args('tenantId', { type: () => ID, nullable: true }) tenantId?: string | null,
  ): Promise<Connection<AdminTokenModel>> {
    return this.adminTokenService.list(admin, page, tenantId);
  }

  @AnyAdmin()
  @Query(() => AdminIdentityModel, { description: 'Who the caller is and what it may do.' })
  me(@CurrentAdmin() admin: AdminPrincipal): AdminIdentityModel {
    return {
      subject: admin.subject,
      via: admin.via,
      isPlatformAdmin: admin.isPlatformAdmin,
      grants: [...admin.tenantRoles].map(([tenantId, role]) => ({
        tenantId,
        role: role === 'admin' ? AdminRoleModel.TENANT_ADMIN : AdminRoleModel.TENANT_VIEWER,
      })),
    };
  }
}

@Resolver(() => AdminIdentityModel)
export class AdminIdentityResolver {
  @AnyAdmin()
  @ResolveField('tenants', () => TenantGrantConnection, { description: 'The tenants the caller has a role in (platform admins: none listed, all allowed), by tenant id.' })
  tenants(@Parent() identity: AdminIdentityModel, @Args() page: PageArgs): Connection<TenantGrantModel> {
    return paginateList(page, identity.grants, (grant) => grant.tenantId);
  }
}
