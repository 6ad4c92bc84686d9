import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('SnapshotChange', { description: 'One object that differs between two snapshot versions.' })
export class SnapshotChangeModel {
  @Field(() => String, { description: 'tenant, servers, apiKeys, rules or limits.' })
  section: string;

  @Field(() => ID)
  id: string;

  @Field(() => String, { description: 'added, removed or changed.' })
  kind: string;

  @Field(() => [String])
  fields: string[];

  @Field(() => String, { nullable: true, description: 'The object before, as JSON (never a key hash).' })
  before: string | null;

  @Field(() => String, { nullable: true, description: 'The object after, as JSON (never a key hash).' })
  after: string | null;
}

@ObjectType('SnapshotDiff')
export class SnapshotDiffModel {
  @Field(() => Int)
  fromVersion: number;

  @Field(() => Int)
  toVersion: number;

  @Field(() => [SnapshotChangeModel])
  changes: SnapshotChangeModel[];

  @Field(() => String, { description: 'The changes, one line each: "+" added, "-" removed, "~" changed.' })
  text: string;
}

@ObjectType('PolicyInputError')
export class PolicyInputErrorModel {
  @Field(() => String)
  field: string;

  @Field(() => String)
  message: string;
}

@ObjectType('PolicyDryRun', { description: 'A change validated and compiled, but neither stored nor published.' })
export class PolicyDryRunModel {
  @Field(() => Boolean)
  isValid: boolean;

  @Field(() => [PolicyInputErrorModel])
  errors: PolicyInputErrorModel[];

  @Field(() => Int, { nullable: true, description: 'The version the change would be published as.' })
  wouldBeVersion: number | null;

  @Field(() => String, { nullable: true, description: 'The snapshot the change would publish, as JSON, without key hashes.' })
  compiled: string | null;

  @Field(() => [SnapshotChangeModel], { description: 'What would change against the latest published version.' })
  changes: SnapshotChangeModel[];
}
