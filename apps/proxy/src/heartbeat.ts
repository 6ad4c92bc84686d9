import { removeHeartbeat, writeHeartbeat, type BusNames } from '@mcpg/bus';
import type { Logger } from '@mcpg/observability';
import type { Redis } from 'ioredis';

export interface HeartbeatOptions {
  readonly redis: Redis;
  readonly names: BusNames;
  readonly proxyId: string;
  readonly region: string;
  readonly intervalMs: number;
  /** Tenant id → snapshot version in force, read at each beat. */
  versions(): Record<string, number>;
  readonly log: Logger;
}

/**
 * Reports this proxy to the control plane (DESIGN.md §6): region, id and the snapshot version it
 * enforces per tenant, in Redis with an expiry of three intervals, so a proxy that dies drops out
 * of the rollout status by itself. Off the request path; a failed beat is logged and retried at
 * the next interval.
 */
/** Changes within this window are reported in one beat (a start-up sync applies many snapshots). */
const COALESCE_MS = 100;

export interface Heartbeat {
  beat(): Promise<void>;
  beatSoon(): void;
  stop(): Promise<void>;
}

export function startHeartbeat(options: HeartbeatOptions): Heartbeat {
  const ttlMs = options.intervalMs * 3;
  const beat = () =>
    writeHeartbeat(
      options.redis,
      options.names,
      { proxyId: options.proxyId, region: options.region, reportedAt: new Date().toISOString(), versions: options.versions() },
      ttlMs,
    ).catch((err: unknown) => options.log.warn('heartbeat failed', { err }));
  const timer = setInterval(() => void beat(), options.intervalMs);
  timer.unref();
  let soon: NodeJS.Timeout | undefined;
  return {
    beat,
    beatSoon() {
      soon ??= setTimeout(() => {
        soon = undefined;
        void beat();
      }, COALESCE_MS);
    },
    async stop() {
      clearInterval(timer);
      clearTimeout(soon);
      // A clean shutdown leaves at once rather than lingering until the key expires.
      await removeHeartbeat(options.redis, options.names, options.proxyId).catch(() => undefined);
    },
  };
}
