import type { Redis } from 'ioredis';
import type { BusNames } from './bus-names.js';

/**
 * Stores the snapshot and bumps the manifest only if the version is newer than what Redis holds,
 * then announces it. Done in one Lua script so two control-plane replicas racing cannot move a
 * tenant backwards.
 */
const PUBLISH_SCRIPT = `
local current = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
local incoming = tonumber(ARGV[2])
if incoming <= current then return 0 end
redis.call('SET', KEYS[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('PUBLISH', KEYS[3], ARGV[4])
return 1
`;

const DELETE_SCRIPT = `
redis.call('DEL', KEYS[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('PUBLISH', KEYS[3], ARGV[2])
return 1
`;

export class SnapshotPublisher {
  constructor(
    private readonly redis: Redis,
    private readonly names: BusNames,
  ) {}

  /** Returns false when Redis already has this or a newer version (nothing was changed). */
  async publish(tenantId: string, version: number, jws: string): Promise<boolean> {
    const message = JSON.stringify({ tenantId, version });
    const result = await this.redis.eval(
      PUBLISH_SCRIPT,
      3,
      this.names.snapshotKey(tenantId),
      this.names.manifestKey,
      this.names.snapshotChannel,
      tenantId,
      String(version),
      jws,
      message,
    );
    return result === 1;
  }

  /** Tenant id → version, as proxies of this region see it. */
  async manifest(): Promise<Map<string, number>> {
    const raw = await this.redis.hgetall(this.names.manifestKey);
    return new Map(Object.entries(raw).map(([tenantId, version]) => [tenantId, Number(version)]));
  }

  /** Deletes the snapshot and announces a tombstone: proxies drop the tenant (DESIGN.md §6). */
  async remove(tenantId: string): Promise<void> {
    const message = JSON.stringify({ tenantId, deleted: true });
    await this.redis.eval(DELETE_SCRIPT, 3, this.names.snapshotKey(tenantId), this.names.manifestKey, this.names.snapshotChannel, tenantId, message);
  }
}
