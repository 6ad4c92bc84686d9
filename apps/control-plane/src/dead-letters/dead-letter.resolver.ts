import { Inject } from '@nestjs/common';
import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { PlatformOnly } from '../admin-auth/access.decorator.js';
import type { AdminPrincipal } from '../admin-auth/admin-principal.js';
import { CurrentAdmin } from '../admin-auth/current-admin.decorator.js';
import { AuditDeadLetterModel, AuditDeadLetterPageModel } from './dead-letter.model.js';
import { DeadLetterService } from './dead-letter.service.js';

/** Dead letters mix events of every tenant in the region, so only platform admins see or replay them. */
@Resolver(() => AuditDeadLetterModel)
export class DeadLetterResolver {
  constructor(@Inject(DeadLetterService) private readonly deadLetters: DeadLetterService) {}

  @PlatformOnly()
  @Query(() => AuditDeadLetterPageModel, { description: 'Audit batches the exporter gave up on, newest first.' })
  auditDeadLetters(
    @Args('first', { type: () => Int, defaultValue: 50 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<AuditDeadLetterPageModel> {
    return this.deadLetters.list({ first, after });
  }

  @PlatformOnly()
  @Mutation(() => AuditDeadLetterModel, { description: 'Queues a dead letter again with fresh attempts; sinks that have it are skipped.' })
  replayAuditDeadLetter(@Args('id', { type: () => ID }) id: string, @CurrentAdmin() admin: AdminPrincipal): Promise<AuditDeadLetterModel> {
    return this.deadLetters.replay(id, admin);
  }

  @PlatformOnly()
  @Mutation(() => Int, { description: 'Replays every dead letter; returns how many.' })
  replayAllAuditDeadLetters(@CurrentAdmin() admin: AdminPrincipal): Promise<number> {
    return this.deadLetters.replayAll(admin);
  }
}
