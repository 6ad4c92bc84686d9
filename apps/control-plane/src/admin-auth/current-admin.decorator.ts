import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { AdminContext } from './admin-context.js';
import type { AdminPrincipal } from './admin-principal.js';

/** The admin making the request, for services that record who changed what or narrow lists. */
export const CurrentAdmin = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AdminPrincipal => GqlExecutionContext.create(context).getContext<AdminContext>().admin,
);
