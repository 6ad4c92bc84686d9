import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { ConnectionOf } from '../pagination/connection.model.js';

@ObjectType('Region', { description: 'A deployment region: its own Redis, its own proxies.' })
export class RegionModel {
  @Field(() => ID)
  id: string;

  @Field(() => String, { description: "Matches the region's proxies' MCPG_REGION." })
  name: string;

  redisUrl: string;

  @Field(() => String)
  redisKeyPrefix: string;

  @Field(() => Date)
  createdAt: Date;
}

export const RegionConnection = ConnectionOf(RegionModel, 'Region');

@ObjectType('ProxyVersion', { description: 'What one proxy enforces for one tenant, from its last heartbeat.' })
export class ProxyVersionModel {
  @Field(() => String)
  proxyId: string;

  @Field(() => String)
  region: string;

  @Field(() => Int, { description: '0 when the proxy does not serve the tenant.' })
  version: number;

  @Field(() => Date)
  reportedAt: Date;

  @Field(() => Boolean, { description: 'True when the proxy does not (yet) enforce the expected version.' })
  isLagging: boolean;
}

@ObjectType('RegionRollout')
export class RegionRolloutModel {
  @Field(() => String)
  region: string;

  @Field(() => [ProxyVersionModel], { description: 'Live proxies of the region (heartbeat not expired).' })
  proxies: ProxyVersionModel[];
}

@ObjectType('Rollout', { description: "Which proxies run which version of a tenant's snapshot." })
export class RolloutModel {
  @Field(() => ID)
  tenantId: string;

  @Field(() => Int, { description: 'Latest published version.' })
  latestVersion: number;

  @Field(() => Int, { description: 'The version proxies should enforce: the latest, or 0 while suspended.' })
  expectedVersion: number;

  @Field(() => [RegionRolloutModel], { description: 'One entry per region the tenant runs in.' })
  regions: RegionRolloutModel[];

  @Field(() => Int)
  laggingProxies: number;
}

@ObjectType('ProxyStatus')
export class ProxyStatusModel {
  @Field(() => String)
  proxyId: string;

  @Field(() => String)
  region: string;

  @Field(() => String, { description: 'The region whose Redis the heartbeat was read from.' })
  reportedVia: string;

  @Field(() => Date)
  reportedAt: Date;

  @Field(() => Int)
  tenants: number;
}

export const ProxyStatusConnection = ConnectionOf(ProxyStatusModel, 'ProxyStatus');
