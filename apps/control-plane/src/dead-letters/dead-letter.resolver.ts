import { Inject } from '@nestjs/common';
import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { PlatformOnly, TenantRead, TenantWrite, tenantOf } from '../admin-auth/access.decorator.js';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { CurrentAdmin } from '../admin-auth/current-admin.decorator.js';
import { AuditDeadLetterModel, AuditDeadLetterPageModel } from './dead-letter.model.js';
import { DeadLetterService } from './dead-letter.service.js';

/**
 * All dead letters (batches that failed before fan-out, exporter-wide sinks' deliveries) mix the
 * events of every tenant in the region, so only platform admins see or replay them all. A tenant
 * sink's dead letters hold that tenant's events only: the tenant's admins list and replay those
 * through the `tenant…` fields.
 */
@Resolver(() => AuditDeadLetterModel)
export class DeadLetterResolver {
  constructor(@Inject(DeadLetterService) private readonly deadLetters: DeadLetterService) {}

  @PlatformOnly()
  @Query(() => AuditDeadLetterPageModel, { description: 'Every audit dead letter of the region, newest first.' })
  auditDeadLetters(
    @Args('first', { type: () => Int, defaultValue: 50 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<AuditDeadLetterPageModel> {
    return this.deadLetters.list({ first, after });
  }

  @TenantRead(tenantOf.arg('tenantId'))
  @Query(() => AuditDeadLetterPageModel, { description: "Dead letters of one tenant's own audit sinks, newest first." })
  tenantAuditDeadLetters(
    @Args('tenantId', { type: () => ID }) tenantId: string,
    @Args('first', { type: () => Int, defaultValue: 50 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<AuditDeadLetterPageModel> {
    return this.deadLetters.list({ first, after, tenantId });
  }

  @PlatformOnly()
  @Mutation(() => AuditDeadLetterModel, { description: 'Queues a dead letter again with fresh attempts, into its own queue (a sink\'s delivery goes to that sink only).' })
  replayAuditDeadLetter(@Args('id', { type: () => ID }) id: string, @CurrentAdmin() admin: AdminPrincipal): Promise<AuditDeadLetterModel> {
    return this.deadLetters.replay(id, admin);
  }

  @TenantWrite(tenantOf.arg('tenantId'))
  @Mutation(() => AuditDeadLetterModel, { description: "Queues a dead letter of one of the tenant's own sinks again with fresh attempts." })
  replayTenantAuditDeadLetter(
    @Args('tenantId', { type: () => ID }) tenantId: string,
    @Args('id', { type: () => ID }) id: string,
    @CurrentAdmin() admin: AdminPrincipal,
  ): Promise<AuditDeadLetterModel> {
    return this.deadLetters.replay(id, admin, tenantId);
  }

  @PlatformOnly()
  @Mutation(() => Int, { description: 'Replays every dead letter; returns how many.' })
  replayAllAuditDeadLetters(@CurrentAdmin() admin: AdminPrincipal): Promise<number> {
    return this.deadLetters.replayAll(admin);
  }

  @TenantWrite(tenantOf.arg('tenantId'))
  @Mutation(() => Int, { description: "Replays every dead letter of the tenant's own sinks; returns how many." })
  replayAllTenantAuditDeadLetters(@Args('tenantId', { type: () => ID }) tenantId: string, @CurrentAdmin() admin: AdminPrincipal): Promise<number> {
    return this.deadLetters.replayAll(admin, tenantId);
  }
}
