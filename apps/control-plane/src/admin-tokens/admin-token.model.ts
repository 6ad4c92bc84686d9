import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ConnectionOf } from '../pagination/connection.model.js';

export enum AdminRoleModel {
  PLATFORM_ADMIN = 'PLATFORM_ADMIN',
  TENANT_ADMIN = 'TENANT_ADMIN',
  TENANT_VIEWER = 'TENANT_VIEWER',
}
registerEnumType(AdminRoleModel, {
  name: 'AdminRole',
  description: 'PLATFORM_ADMIN: everything. TENANT_ADMIN: one tenant, read-write. TENANT_VIEWER: one tenant, read-only.',
});

/** An admin API token as admins see it: never its hash, never its secret. */
@ObjectType('AdminToken')
export class AdminTokenModel {
  @Field(() => ID)
  id: string;

  @Field(() => String)
  name: string;

  @Field(() => String, { description: 'First characters of the token ("mcpga_AbC123"), enough to recognise it.' })
  prefix: string;

  @Field(() => AdminRoleModel)
  role: AdminRoleModel;

  @Field(() => ID, { nullable: true, description: 'Tenant of a TENANT_ADMIN / TENANT_VIEWER token.' })
  tenantId: string | null;

  @Field(() => String, { description: 'Admin who created the token.' })
  createdBy: string;

  @Field(() => Date)
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  expiresAt: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt: Date | null;
}

export const AdminTokenConnection = ConnectionOf(AdminTokenModel, 'AdminToken');

@ObjectType('CreatedAdminToken')
export class CreatedAdminTokenModel {
  @Field(() => AdminTokenModel)
  adminToken: AdminTokenModel;

  @Field(() => String, { description: 'The bearer token. Returned only here, once; only its hash is stored.' })
  secret: string;
}

@ObjectType('TenantGrant')
export class TenantGrantModel {
  @Field(() => ID)
  tenantId: string;

  @Field(() => AdminRoleModel)
  role: AdminRoleModel;
}

@ObjectType('AdminIdentity', { description: 'The admin making the request.' })
export class AdminIdentityModel {
  @Field(() => String)
  subject: string;

  @Field(() => String, { description: 'bootstrap-token, admin-token or oidc.' })
  via: string;

  @Field(() => Boolean)
  isPlatformAdmin: boolean;

  /** Exposed as the `tenants` connection (AdminIdentityResolver). */
  grants: TenantGrantModel[];
}

export const TenantGrantConnection = ConnectionOf(TenantGrantModel, 'TenantGrant');
