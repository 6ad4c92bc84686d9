import type { Redis } from 'ioredis';
import type { BusNames } from './bus-names.js';
import { snapshotMessageSchema } from './snapshot-message.js';

export interface SnapshotSink {
  /** Called with a signed snapshot that may be newer than what the caller has; it verifies and decides. */
  offer(tenantId: string, jws: string): Promise<void>;
  remove(tenantId: string): void;
  /** Version the caller currently enforces for a tenant, or 0. */
  versionOf(tenantId: string): number;
}

export interface SnapshotSubscriberEvents {
  onError?(err: unknown, context: string): void;
}

/**
 * Keeps a SnapshotSink in step with Redis (DESIGN.md §6): read the manifest, fetch whatever is
 * newer, subscribe; and after every reconnect read the manifest again, because pub/sub drops
 * messages sent while the connection was down.
 */
export class SnapshotSubscriber {
  private isSynced = false;
  private resyncing: Promise<void> | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly subscriberConnection: Redis,
    private readonly names: BusNames,
    private readonly sink: SnapshotSink,
    private readonly events: SnapshotSubscriberEvents = {},
  ) {}

  get hasSynced(): boolean {
    return this.isSynced;
  }

  async start(): Promise<void> {
    this.subscriberConnection.on('message', (channel: string, raw: string) => {
      if (channel !== this.names.snapshotChannel) return;
      void this.handleMessage(raw).catch((err) => this.events.onError?.(err, 'message'));
    });
    // ioredis re-subscribes by itself after a reconnect; the manifest read covers the gap.
    this.subscriberConnection.on('ready', () => {
      if (this.isSynced) void this.resync().catch((err) => this.events.onError?.(err, 'resync'));
    });
    await this.subscriberConnection.subscribe(this.names.snapshotChannel);
    await this.resync();
    this.isSynced = true;
  }

  /** Reads the manifest and pulls every tenant whose version is newer than the sink's. */
  resync(): Promise<void> {
    this.resyncing ??= this.doResync().finally(() => {
      this.resyncing = null;
    });
    return this.resyncing;
  }

  private async doResync(): Promise<void> {
    const manifest = await this.redis.hgetall(this.names.manifestKey);
    await Promise.all(
      Object.entries(manifest).map(async ([tenantId, version]) => {
        if (Number(version) > this.sink.versionOf(tenantId)) await this.fetch(tenantId);
      }),
    );
  }

  private async handleMessage(raw: string): Promise<void> {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new Error('snapshot message is not JSON');
    }
    const message = snapshotMessageSchema.parse(json);
    if ('deleted' in message) {
      this.sink.remove(message.tenantId);
      return;
    }
    if (message.version > this.sink.versionOf(message.tenantId)) await this.fetch(message.tenantId);
  }

  private async fetch(tenantId: string): Promise<void> {
    const jws = await this.redis.get(this.names.snapshotKey(tenantId));
    if (jws) await this.sink.offer(tenantId, jws);
  }
}
