import { Field, Float, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('RateLimit', { description: "Token bucket per identity (API key) on each of the tenant's proxies." })
export class RateLimitModel {
  @Field(() => Int, { description: 'Burst size.' })
  capacity: number;

  @Field(() => Float, { description: 'Sustained requests per second.' })
  refillPerSecond: number;
}

@ObjectType('TenantLimits')
export class TenantLimitsModel {
  @Field(() => RateLimitModel)
  rateLimit: RateLimitModel;

  @Field(() => Boolean, { description: 'True when the built-in default applies (no limit set for the tenant).' })
  isDefault: boolean;
}
