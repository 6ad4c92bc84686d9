import { describe, expect, it } from 'vitest';
import { TokenBucket, TokenBucketMap } from './token-bucket.js';

describe('token bucket', () => {
  it('allows a burst up to capacity, then refuses with a retry time', () => {
    const bucket = new TokenBucket({ capacity: 3, refillPerSecond: 1 }, 0);
    expect(bucket.take(0)).toEqual({ isAllowed: true, remaining: 2 });
    expect(bucket.take(0).isAllowed).toBe(true);
    expect(bucket.take(0).isAllowed).toBe(true);
    expect(bucket.take(0)).toEqual({ isAllowed: false, remaining: 0, retryAfterMs: 1000 });
  });
  it('refills at the configured rate and never beyond capacity', () => {
    const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 4 }, 0);
    bucket.take(0);
    bucket.take(0);
    expect(bucket.take(100).isAllowed).toBe(false);
    expect(bucket.take(250).isAllowed).toBe(true);
    expect(bucket.take(10_000)).toEqual({ isAllowed: true, remaining: 1 });
  });
  it('keeps spent tokens when reconfigured to a smaller capacity', () => {
    const bucket = new TokenBucket({ capacity: 10, refillPerSecond: 1 }, 0);
    for (let i = 0; i < 9; i++) bucket.take(0);
    bucket.reconfigure({ capacity: 5, refillPerSecond: 1 });
    expect(bucket.take(0)).toEqual({ isAllowed: true, remaining: 0 });
    expect(bucket.take(0).isAllowed).toBe(false);
  });
});

describe('token bucket map', () => {
  it('keeps identities apart', () => {
    const map = new TokenBucketMap();
    const cfg = { capacity: 1, refillPerSecond: 1 };
    expect(map.take('a', cfg, 0).isAllowed).toBe(true);
    expect(map.take('a', cfg, 0).isAllowed).toBe(false);
    expect(map.take('b', cfg, 0).isAllowed).toBe(true);
  });
  it('stays bounded, forgetting refilled buckets first', () => {
    const map = new TokenBucketMap(2);
    const cfg = { capacity: 1, refillPerSecond: 1 };
    map.take('a', cfg, 0);
    map.take('b', cfg, 0);
    map.take('c', cfg, 5000);
    expect(map.size).toBeLessThanOrEqual(2);
  });
});
