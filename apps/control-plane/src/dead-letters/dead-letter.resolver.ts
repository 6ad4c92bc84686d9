import { Inject } from '@nestjs/common';
import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AuditDeadLetterModel, AuditDeadLetterPageModel } from './dead-letter.model.js';
import { DeadLetterService } from './dead-letter.service.js';

@Resolver(() => AuditDeadLetterModel)
export class DeadLetterResolver {
  constructor(@Inject(DeadLetterService) private readonly deadLetters: DeadLetterService) {}

  @Query(() => AuditDeadLetterPageModel, { description: 'Audit batches the exporter gave up on, newest first.' })
  auditDeadLetters(
    @Args('first', { type: () => Int, defaultValue: 50 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<AuditDeadLetterPageModel> {
    return this.deadLetters.list({ first, after });
  }

  @Mutation(() => AuditDeadLetterModel, { description: 'Queues a dead letter again with fresh attempts; sinks that have it are skipped.' })
  replayAuditDeadLetter(@Args('id', { type: () => ID }) id: string): Promise<AuditDeadLetterModel> {
    return this.deadLetters.replay(id);
  }

  @Mutation(() => Int, { description: 'Replays every dead letter; returns how many.' })
  replayAllAuditDeadLetters(): Promise<number> {
    return this.deadLetters.replayAll();
  }
}
