import type { KeyObject } from 'node:crypto';
import { request, type Dispatcher } from 'undici';
import type { JwsAlgorithm } from './jws-algorithms.js';
import { JwkKeySet } from './jwk-key-set.js';
import { AuthError } from './principal.js';

export interface JwksCacheOptions {
  /** Whole fetch (connect, headers and body) must finish within this. */
  readonly fetchTimeoutMs: number;
  /** At most one refetch per URI in this interval, whatever the cause (unknown `kid`, expiry, failures). */
  readonly cooldownMs: number;
  /** A key set older than this is refetched on next use; the old one serves if that fails. */
  readonly maxAgeMs: number;
  /** Larger documents are refused as junk. */
  readonly maxBytes?: number;
  readonly dispatcher?: Dispatcher;
  readonly onFetchError?: (uri: string, err: unknown) => void;
  /** Keys of a fetched set that could not be used (wrong `use`, weak, unsupported), by reason. */
  readonly onSkippedKeys?: (uri: string, skipped: JwkKeySet['skipped']) => void;
}

interface CachedKeySet {
  keySet: JwkKeySet | null;
  /** Counts successful fetches, so callers that waited on another's fetch know whether it worked. */
  generation: number;
  fetchedAtMs: number;
  lastAttemptAtMs: number;
  inflight: Promise<void> | null;
}

const DEFAULT_MAX_BYTES = 256 * 1024;

/**
 * JWKS documents by URI, shared by every tenant and snapshot version in this proxy.
 * The key set is fetched with undici, kept, and refetched when it is old or a token names an
 * unknown `kid` — but never more than once per cool-down, so a flood of forged `kid`s cannot turn
 * the proxy into a load generator against the IdP. When the endpoint is down, slow or returns
 * junk, the last good key set keeps serving.
 */
export class JwksCache {
  private readonly entries = new Map<string, CachedKeySet>();

  constructor(private readonly options: JwksCacheOptions) {}

  /**
   * The keys that may verify a token signed with `alg` naming `kid`; never empty (an unknown key
   * is `unknown_key_id`, no usable key set at all `jwks_unavailable`).
   */
  async keysFor(uri: string, alg: JwsAlgorithm, kid: string | undefined, nowMs: number = Date.now()): Promise<KeyObject[]> {
    let entry = this.entries.get(uri);
    if (!entry) {
      entry = { keySet: null, generation: 0, fetchedAtMs: 0, lastAttemptAtMs: 0, inflight: null };
      this.entries.set(uri, entry);
    }
    const isStale = entry.keySet === null || nowMs - entry.fetchedAtMs >= this.options.maxAgeMs;
    if (isStale) await this.refreshWithinCooldown(uri, entry, nowMs);
    if (!entry.keySet) throw new AuthError('jwks_unavailable');
    const cached = entry.keySet.candidatesFor(alg, kid);
    if (cached.length > 0) return cached;
    // Unknown kid: the IdP may have rotated its keys since the last fetch.
    if (await this.refreshWithinCooldown(uri, entry, nowMs)) {
      const fresh = entry.keySet.candidatesFor(alg, kid);
      if (fresh.length > 0) return fresh;
    }
    throw new AuthError('unknown_key_id');
  }

  /** True if a fetch ran (and succeeded) now; false if the cool-down forbade it or it failed. */
  private async refreshWithinCooldown(uri: string, entry: CachedKeySet, nowMs: number): Promise<boolean> {
    const generation = entry.generation;
    if (entry.inflight) {
      await entry.inflight;
      return entry.generation > generation;
    }
    if (entry.lastAttemptAtMs !== 0 && nowMs - entry.lastAttemptAtMs < this.options.cooldownMs) return false;
    entry.lastAttemptAtMs = nowMs;
    entry.inflight = this.fetchKeySet(uri)
      .then((keySet) => {
        if (keySet.skipped.length > 0) this.options.onSkippedKeys?.(uri, keySet.skipped);
        entry.keySet = keySet;
        entry.fetchedAtMs = nowMs;
        entry.generation += 1;
      })
      .catch((err: unknown) => this.options.onFetchError?.(uri, err))
      .finally(() => {
        entry.inflight = null;
      });
    await entry.inflight;
    return entry.generation > generation;
  }

  private async fetchKeySet(uri: string): Promise<JwkKeySet> {
    const maxBytes = this.options.maxBytes ?? DEFAULT_MAX_BYTES;
    const signal = AbortSignal.timeout(this.options.fetchTimeoutMs);
    const res = await request(uri, {
      method: 'GET',
      headers: { accept: 'application/jwk-set+json, application/json' },
      signal,
      ...(this.options.dispatcher ? { dispatcher: this.options.dispatcher } : {}),
    });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new Error(`JWKS endpoint answered ${res.statusCode}`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of res.body) {
      total += (chunk as Buffer).length;
      if (total > maxBytes) throw new Error(`JWKS larger than ${maxBytes} bytes`);
      chunks.push(chunk as Buffer);
    }
    // Junk (not JSON, not a key set, no key we could use) throws here and the previous key set stays.
    const keySet = new JwkKeySet(JSON.parse(Buffer.concat(chunks, total).toString('utf8')));
    if (keySet.size === 0) throw new Error(`JWKS has no usable signature key (${keySet.skipped.map((k) => k.reason).join('; ') || 'empty'})`);
    return keySet;
  }
}
