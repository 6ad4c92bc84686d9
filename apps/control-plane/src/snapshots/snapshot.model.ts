import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('Snapshot', {
  description: 'One published policy snapshot of a tenant. The signed document itself stays server-side.',
})
export class SnapshotModel {
  @Field(() => Int, { description: 'Strictly increasing per tenant; proxies ignore versions they already have.' })
  version: number;

  @Field(() => Date)
  createdAt: Date;
}
