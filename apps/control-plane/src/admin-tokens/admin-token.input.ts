import { Field, ID, InputType } from '@nestjs/graphql';
import { z } from 'zod';
import { displayNameSchema, idSchema } from '../validation/field-schemas.js';
import { AdminRoleModel } from './admin-token.model.js';

@InputType()
export class CreateAdminTokenInput {
  @Field(() => String)
  name: string;

  @Field(() => AdminRoleModel)
  role: AdminRoleModel;

  @Field(() => ID, { nullable: true, description: 'Required for TENANT_ADMIN and TENANT_VIEWER; absent for PLATFORM_ADMIN.' })
  tenantId?: string | null;

  @Field(() => Date, { nullable: true, description: 'When the token stops working; absent: never (revoke it instead).' })
  expiresAt?: Date | null;
}

export const createAdminTokenSchema = z
  .object({
    name: displayNameSchema,
    role: z.enum(AdminRoleModel),
    tenantId: idSchema.nullish(),
    expiresAt: z.date().nullish(),
  })
  .superRefine((input, ctx) => {
    const needsTenant = input.role !== AdminRoleModel.PLATFORM_ADMIN;
    if (needsTenant && !input.tenantId) ctx.addIssue({ code: 'custom', path: ['tenantId'], message: 'is required for tenant roles' });
    if (!needsTenant && input.tenantId) ctx.addIssue({ code: 'custom', path: ['tenantId'], message: 'must be absent for PLATFORM_ADMIN' });
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: 'must be in the future' });
  });
