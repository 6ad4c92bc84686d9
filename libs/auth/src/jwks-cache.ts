import { createLocalJWKSet, errors, type CryptoKey, type JWSHeaderParameters } from 'jose';
import { request, type Dispatcher } from 'undici';
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
}

type KeySetResolver = ReturnType<typeof createLocalJWKSet>;

interface CachedKeySet {
  resolver: KeySetResolver | null;
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

  async keyFor(uri: string, header: JWSHeaderParameters, nowMs: number = Date.now()): Promise<CryptoKey> {
    let entry = this.entries.get(uri);
    if (!entry) {
      entry = { resolver: null, fetchedAtMs: 0, lastAttemptAtMs: 0, inflight: null };
      this.entries.set(uri, entry);
    }
    const isStale = entry.resolver === null || nowMs - entry.fetchedAtMs >= this.options.maxAgeMs;
    if (isStale) await this.refreshWithinCooldown(uri, entry, nowMs);
    if (!entry.resolver) throw new AuthError('jwks_unavailable');
    try {
      return await entry.resolver(header);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey)) throw mapKeySelectionError(err);
    }
    // Unknown kid: the IdP may have rotated its keys since the last fetch.
    if (await this.refreshWithinCooldown(uri, entry, nowMs)) {
      try {
        return await entry.resolver(header);
      } catch (err) {
        if (!(err instanceof errors.JWKSNoMatchingKey)) throw mapKeySelectionError(err);
      }
    }
    throw new AuthError('unknown_key_id');
  }

  /** True if a fetch ran (and succeeded) now; false if the cool-down forbade it or it failed. */
  private async refreshWithinCooldown(uri: string, entry: CachedKeySet, nowMs: number): Promise<boolean> {
    if (entry.inflight) {
      await entry.inflight;
      return entry.fetchedAtMs >= nowMs;
    }
    if (entry.lastAttemptAtMs !== 0 && nowMs - entry.lastAttemptAtMs < this.options.cooldownMs) return false;
    entry.lastAttemptAtMs = nowMs;
    let isFetched = false;
    entry.inflight = this.fetchKeySet(uri)
      .then((resolver) => {
        entry.resolver = resolver;
        entry.fetchedAtMs = nowMs;
        isFetched = true;
      })
      .catch((err: unknown) => this.options.onFetchError?.(uri, err))
      .finally(() => {
        entry.inflight = null;
      });
    await entry.inflight;
    return isFetched;
  }

  private async fetchKeySet(uri: string): Promise<KeySetResolver> {
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
    // createLocalJWKSet validates the shape; junk throws here and the previous key set stays.
    return createLocalJWKSet(JSON.parse(Buffer.concat(chunks, total).toString('utf8')));
  }
}

function mapKeySelectionError(err: unknown): AuthError {
  if (err instanceof errors.JWKSMultipleMatchingKeys) return new AuthError('unknown_key_id');
  if (err instanceof errors.JOSENotSupported) return new AuthError('algorithm_not_allowed');
  return new AuthError('bad_signature');
}
