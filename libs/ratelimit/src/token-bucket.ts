export interface TokenBucketConfig {
  /** Most requests allowed in a burst. */
  capacity: number;
  /** Tokens added per second, i.e. the sustained rate. */
  refillPerSecond: number;
}

export type TakeResult = { isAllowed: true; remaining: number } | { isAllowed: false; remaining: 0; retryAfterMs: number };

/** Lazy-refill token bucket: no timers, state is two numbers updated on each take. */
export class TokenBucket {
  private tokens: number;
  private updatedAtMs: number;

  constructor(
    private config: TokenBucketConfig,
    nowMs: number,
  ) {
    this.tokens = config.capacity;
    this.updatedAtMs = nowMs;
  }

  /** A new snapshot may change the limits; keep the tokens already spent. */
  reconfigure(config: TokenBucketConfig): void {
    this.config = config;
    this.tokens = Math.min(this.tokens, config.capacity);
  }

  take(nowMs: number, cost = 1): TakeResult {
    const elapsedMs = Math.max(0, nowMs - this.updatedAtMs);
    this.tokens = Math.min(this.config.capacity, this.tokens + (elapsedMs / 1000) * this.config.refillPerSecond);
    this.updatedAtMs = nowMs;
    if (this.tokens >= cost) {
      this.tokens -= cost;
      return { isAllowed: true, remaining: Math.floor(this.tokens) };
    }
    const retryAfterMs = Math.ceil(((cost - this.tokens) / this.config.refillPerSecond) * 1000);
    return { isAllowed: false, remaining: 0, retryAfterMs };
  }

  isFull(nowMs: number): boolean {
    const elapsedMs = Math.max(0, nowMs - this.updatedAtMs);
    return this.tokens + (elapsedMs / 1000) * this.config.refillPerSecond >= this.config.capacity;
  }
}

/**
 * Buckets per identity, bounded in number: when the map is full, buckets that have refilled
 * completely are dropped (forgetting them changes nothing), oldest first.
 */
export class TokenBucketMap {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly maxEntries = 100_000) {}

  take(identity: string, config: TokenBucketConfig, nowMs: number = Date.now()): TakeResult {
    let bucket = this.buckets.get(identity);
    if (!bucket) {
      if (this.buckets.size >= this.maxEntries) this.evict(nowMs);
      bucket = new TokenBucket(config, nowMs);
      this.buckets.set(identity, bucket);
    } else {
      bucket.reconfigure(config);
    }
    return bucket.take(nowMs);
  }

  get size(): number {
    return this.buckets.size;
  }

  private evict(nowMs: number): void {
    for (const [identity, bucket] of this.buckets) {
      if (bucket.isFull(nowMs)) this.buckets.delete(identity);
    }
    // Every bucket is in use: drop the oldest rather than grow without bound.
    if (this.buckets.size >= this.maxEntries) {
      const oldest = this.buckets.keys().next();
      if (!oldest.done) this.buckets.delete(oldest.value);
    }
  }
}
