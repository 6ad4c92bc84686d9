import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('AuditDeadLetter', {
  description:
    'Audit events the exporter gave up on after its last attempt; kept until replayed. Either a batch that could not be fanned out to the sinks (`sink` null) or one sink\'s delivery (`sink` set), which a replay sends to that sink only.',
})
export class AuditDeadLetterModel {
  @Field(() => ID, { description: 'The batch\'s job id (its first event id); `<sink>/<job id>` for a sink\'s delivery. Opaque: pass it back to replay.' })
  id: string;

  @Field(() => String, { nullable: true, description: 'The sink that did not take these events (`splunk-hec`, `tenant-sink:<id>`, …); null for a batch that failed before fan-out.' })
  sink: string | null;

  @Field(() => ID, { nullable: true, description: 'The tenant owning `sink`; null for exporter-wide sinks and for batches that failed before fan-out.' })
  sinkTenantId: string | null;

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

  @Field(() => [String], { description: 'For a batch that failed before fan-out: the sinks it already reached; a replay skips them. Empty for a sink\'s delivery.' })
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
