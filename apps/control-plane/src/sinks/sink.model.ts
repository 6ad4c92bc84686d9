import { ConnectionOf } from '../pagination/connection.model.js';
import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('AuditSink', { description: "A tenant's own audit destination. Its credentials are write-only." })
export class AuditSinkModel {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  tenantId: string;

  @Field()
  name: string;

  @Field()
  kind: string;

  @Field()
  url: string;

  @Field(() => String, { nullable: true })
  index: string | null;

  @Field(() => String, { nullable: true })
  sourcetype: string | null;

  @Field(() => String, { nullable: true })
  source: string | null;

  @Field()
  ack: boolean;

  @Field(() => String, { nullable: true })
  username: string | null;

  @Field(() => Int, { description: 'Increases each time the credentials are replaced.' })
  secretVersion: number;

  @Field(() => Date)
  createdAt: Date;

  @Field(() => Date)
  updatedAt: Date;
}

export const AuditSinkConnection = ConnectionOf(AuditSinkModel, 'AuditSink');
