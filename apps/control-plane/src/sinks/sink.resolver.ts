import { Inject } from '@nestjs/common';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CreateAuditSinkInput, UpdateAuditSinkInput } from './sink.input.js';
import { AuditSinkModel } from './sink.model.js';
import { SinkService } from './sink.service.js';

@Resolver(() => AuditSinkModel)
export class SinkResolver {
  constructor(@Inject(SinkService) private readonly sinks: SinkService) {}

  @Query(() => [AuditSinkModel], { description: "The tenant's own audit sinks (credentials are never returned)." })
  auditSinks(@Args('tenantId', { type: () => ID }) tenantId: string): Promise<AuditSinkModel[]> {
    return this.sinks.list(tenantId);
  }

  @Mutation(() => AuditSinkModel, { description: 'Adds a sink for the tenant\'s audit events and publishes a new snapshot.' })
  createAuditSink(@Args('input', { type: () => CreateAuditSinkInput }) input: CreateAuditSinkInput): Promise<AuditSinkModel> {
    return this.sinks.create(input);
  }

  @Mutation(() => AuditSinkModel)
  updateAuditSink(@Args('input', { type: () => UpdateAuditSinkInput }) input: UpdateAuditSinkInput): Promise<AuditSinkModel> {
    return this.sinks.update(input);
  }

  @Mutation(() => AuditSinkModel)
  deleteAuditSink(@Args('id', { type: () => ID }) id: string): Promise<AuditSinkModel> {
    return this.sinks.delete(id);
  }
}
