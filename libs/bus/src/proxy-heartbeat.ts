import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { BusNames } from './bus-names.js';

/**
 * What a proxy reports about itself (DESIGN.md §6): which region it serves and which snapshot
 * version it enforces for each tenant. The control plane reads these to show rollout status.
 */
export const proxyHeartbeatSchema = z.object({
  proxyId: z.string(),
  region: z.string(),
  /** ISO 8601 time the heartbeat was written. */
  reportedAt: z.string(),
  /** Tenant id → snapshot version in force. */
  versions: z.record(z.string(), z.number().int().nonnegative()),
});
export type ProxyHeartbeat = z.infer<typeof proxyHeartbeatSchema>;

/** Writes the heartbeat with an expiry, so a proxy that stops reporting disappears by itself. */
export async function writeHeartbeat(redis: Redis, names: BusNames, heartbeat: ProxyHeartbeat, ttlMs: number): Promise<void> {
  await redis.set(names.heartbeatKey(heartbeat.proxyId), JSON.stringify(heartbeat), 'PX', ttlMs);
}

export async function removeHeartbeat(redis: Redis, names: BusNames, proxyId: string): Promise<void> {
  await redis.del(names.heartbeatKey(proxyId));
}

/** Every live proxy's last heartbeat; malformed entries are skipped. */
export async function readHeartbeats(redis: Redis, names: BusNames): Promise<ProxyHeartbeat[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', names.heartbeatPattern, 'COUNT', 500);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  if (keys.length === 0) return [];
  const values = await redis.mget(...keys);
  const heartbeats: ProxyHeartbeat[] = [];
  for (const value of values) {
    if (!value) continue;
    try {
      const parsed = proxyHeartbeatSchema.safeParse(JSON.parse(value));
      if (parsed.success) heartbeats.push(parsed.data);
    } catch {
      // Not JSON: not a heartbeat this code wrote.
    }
  }
  return heartbeats.sort((a, b) => (a.proxyId < b.proxyId ? -1 : 1));
}
