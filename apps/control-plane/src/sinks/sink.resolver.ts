import { Inject } from '@nestjs/common';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { TenantRead, TenantWrite, tenantOf } from '../admin-auth/access.decorator.js';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { CurrentAdmin } from '../admin-auth/current-admin.decorator.js';
import { CreateAuditSinkInput, UpdateAuditSinkInput } from './sink.input.js';
import { PageArgs, type Connection } from '../pagination/connection.model.js';
import { AuditSinkConnection, AuditSinkModel } from './sink.model.js';
import { SinkService } from './sink.service.js';

@Resolver(() => AuditSinkModel)
export class SinkResolver {
  constructor(@Inject(SinkService) private readonly sinks: SinkService) {}

  @TenantRead(tenantOf.arg('tenantId'))
  @Query(() => AuditSinkConnection, { description: "The tenant's own audit sinks by name (credentials are never returned)." })
  auditSinks(@Args('tenantId', { type: () => ID }) tenantId: string, @Args() page: PageArgs): Promise<Connection<AuditSinkModel>> {
    return this.sinks.list(tenantId, page);
  }

  @TenantWrite(tenantOf.arg('input.tenantId'))
  @Mutation(() => AuditSinkModel, { description: 'Adds a sink for the tenant\'s audit events and publishes a new snapshot.' })
  createAuditSink(
    @Args('input', { type: () => CreateAuditSinkInput }) input: CreateAuditSinkInput,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<AuditSinkModel> {
    return this.sinks.create(input, admin);
  }

  @TenantWrite(tenantOf.row('auditSink', 'input.id'))
  @Mutation(() => AuditSinkModel)
  updateAuditSink(
    @Args('input', { type: () => UpdateAuditSinkInput }) input: UpdateAuditSinkInput,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<AuditSinkModel> {
    return this.sinks.update(input, admin);
  }

  @TenantWrite(tenantOf.row('auditSink', 'id'))
  @Mutation(() => AuditSinkModel)
  deleteAuditSink(@Args('id', { type: () => ID }) id: string, @CurrentAdmin() admin: AdminPrincipal): Promise<AuditSinkModel> {
    return this.sinks.delete(id, admin);
  }
}
