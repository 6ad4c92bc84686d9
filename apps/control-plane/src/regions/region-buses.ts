import { SnapshotPublisher, busNames, type BusNames } from '@mcpg/bus';
import type { Logger } from '@mcpg/observability';
import { Redis } from 'ioredis';

/** One region's Redis, as the control plane publishes to it. */
export interface RegionBus {
  /** `redisUrl|keyPrefix`: two regions configured on the same Redis and prefix are one bus. */
  readonly key: string;
  readonly regionName: string;
  readonly redis: Redis;
  readonly names: BusNames;
  readonly publisher: SnapshotPublisher;
}

export interface RegionConnection {
  readonly name: string;
  readonly redisUrl: string;
  readonly redisKeyPrefix: string;
}

/**
 * The Redis connections of every region the control plane publishes to: the default region
 * (REDIS_URL, for tenants placed in no region) and one per Region row, opened on first use.
 */
export class RegionBuses {
  private readonly buses = new Map<string, RegionBus>();
  private readonly owned: Redis[] = [];
  readonly defaultBus: RegionBus;

  constructor(
    defaultRedis: Redis,
    defaultRegion: RegionConnection,
    private readonly logger: Logger,
  ) {
    this.defaultBus = this.make(defaultRegion, defaultRedis);
    this.buses.set(this.defaultBus.key, this.defaultBus);
  }

  busFor(region: RegionConnection): RegionBus {
    const key = busKey(region);
    let bus = this.buses.get(key);
    if (!bus) {
      const redis = new Redis(region.redisUrl, { connectionName: 'mcpg-control-plane', maxRetriesPerRequest: 2, lazyConnect: false });
      let isDown = false;
      redis.on('error', (err) => {
        if (!isDown) this.logger.warn('region redis unavailable; retrying', { region: region.name, err: String(err) });
        isDown = true;
      });
      redis.on('ready', () => {
        isDown = false;
      });
      this.owned.push(redis);
      bus = this.make(region, redis);
      this.buses.set(key, bus);
    }
    return bus;
  }

  /** Buses of the given regions, or the default bus when there are none; deduplicated. */
  targets(regions: readonly RegionConnection[]): RegionBus[] {
    if (regions.length === 0) return [this.defaultBus];
    return [...new Map(regions.map((r) => this.busFor(r)).map((bus) => [bus.key, bus])).values()];
  }

  close(): void {
    for (const redis of this.owned) redis.disconnect();
  }

  /** Nest calls this when the app closes. */
  onModuleDestroy(): void {
    this.close();
  }

  private make(region: RegionConnection, redis: Redis): RegionBus {
    const names = busNames(region.redisKeyPrefix);
    return { key: busKey(region), regionName: region.name, redis, names, publisher: new SnapshotPublisher(redis, names) };
  }
}

function busKey(region: RegionConnection): string {
  return `${region.redisUrl}|${region.redisKeyPrefix}`;
}
