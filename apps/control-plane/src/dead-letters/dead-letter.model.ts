import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('AuditDeadLetter', {
  description: 'An audit batch the exporter gave up on after its last attempt; kept until replayed.',
})
export class AuditDeadLetterModel {
  @Field(() => ID, { description: 'The BullMQ job id: the id of the batch\'s first event.' })
  id: string;

  @Field({ description: 'Why the last attempt failed, as the exporter reported it (never a credential).' })
  failedReason: string;

  @Field(() => Int)
  attemptsMade: number;

  @Field(() => Date, { nullable: true })
  failedAt: Date | null;

  @Field(() => Int)
  eventCount: number;

  @Field(() => Date, { nullable: true, description: 'Time of the oldest event in the batch.' })
  firstEventTime: Date | null;

  @Field(() => Date, { nullable: true })
  lastEventTime: Date | null;

  @Field(() => [String], { description: 'Tenants whose events are in the batch.' })
  tenantIds: string[];

  @Field(() => [String], { description: 'Sinks that already have the batch; a replay skips them.' })
  deliveredTo: string[];
}

@ObjectType('AuditDeadLetterPage')
export class AuditDeadLetterPageModel {
  @Field(() => [AuditDeadLetterModel], { description: 'Newest failures first.' })
  nodes: AuditDeadLetterModel[];

  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page; null on the last page.' })
  nextCursor: string | null;

  @Field(() => Int)
  totalCount: number;
}
