import { Field, Int, ObjectType } from '@nestjs/graphql';
import { ConnectionOf } from '../pagination/connection.model.js';

@ObjectType('Snapshot', {
  description: 'One published policy snapshot of a tenant. The signed document itself stays server-side.',
})
export class SnapshotModel {
  @Field(() => Int, { description: 'Strictly increasing per tenant; proxies ignore versions they already have.' })
  version: number;

  @Field(() => Date)
  createdAt: Date;
}

export const SnapshotConnection = ConnectionOf(SnapshotModel, 'Snapshot');
