import { createHash } from 'node:crypto';
import { request, type Dispatcher } from 'undici';
import { AuthError } from './principal.js';

export interface IntrospectionEndpoint {
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

/** The fields of an RFC 7662 §2.2 response this proxy uses. */
export interface ActiveTokenClaims {
  readonly active: true;
  readonly [claim: string]: unknown;
}

export interface TokenIntrospectorOptions {
  readonly timeoutMs: number;
  /** Upper bound on how long an active answer is reused, even if the token lives longer. */
  readonly maxCacheTtlMs: number;
  /** How long an `active: false` answer is reused (so a flood of bad tokens does not reach the IdP). */
  readonly inactiveCacheTtlMs: number;
  readonly maxEntries?: number;
  readonly dispatcher?: Dispatcher;
}

interface CacheEntry {
  claims: ActiveTokenClaims | null;
  untilMs: number;
}

const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * RFC 7662 token introspection with a cache: an active token's answer is kept until the token
 * expires or `maxCacheTtlMs` passes, whichever is first (so revocation at the authorization
 * server takes effect within that bound). Tokens are cached by SHA-256, never in clear.
 */
export class TokenIntrospector {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(private readonly options: TokenIntrospectorOptions) {}

  async introspect(endpoint: IntrospectionEndpoint, token: string, nowMs: number = Date.now()): Promise<ActiveTokenClaims> {
    const cacheKey = createHash('sha256').update(endpoint.url).update('\0').update(token).digest('base64url');
    const hit = this.cache.get(cacheKey);
    if (hit && hit.untilMs > nowMs) {
      if (!hit.claims) throw new AuthError('token_inactive');
      return hit.claims;
    }
    const claims = await this.ask(endpoint, token);
    const exp = claims && typeof claims.exp === 'number' ? claims.exp * 1000 : Number.POSITIVE_INFINITY;
    const ttl = claims ? Math.min(this.options.maxCacheTtlMs, exp - nowMs) : this.options.inactiveCacheTtlMs;
    if (ttl > 0) this.remember(cacheKey, { claims, untilMs: nowMs + ttl });
    if (!claims) throw new AuthError('token_inactive');
    return claims;
  }

  private remember(key: string, entry: CacheEntry): void {
    const max = this.options.maxEntries ?? 10_000;
    if (this.cache.size >= max) {
      // Maps iterate in insertion order: drop the oldest.
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(key, entry);
  }

  private async ask(endpoint: IntrospectionEndpoint, token: string): Promise<ActiveTokenClaims | null> {
    // RFC 6749 §2.3.1: client id and secret are form-encoded before Basic encoding.
    const basic = Buffer.from(`${encodeURIComponent(endpoint.clientId)}:${encodeURIComponent(endpoint.clientSecret)}`).toString('base64');
    let json: unknown;
    try {
      const res = await request(endpoint.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', authorization: `Basic ${basic}` },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
        signal: AbortSignal.timeout(this.options.timeoutMs),
        ...(this.options.dispatcher ? { dispatcher: this.options.dispatcher } : {}),
      });
      if (res.statusCode !== 200) {
        await res.body.dump();
        throw new Error(`introspection endpoint answered ${res.statusCode}`);
      }
      const text = await res.body.text();
      if (text.length > MAX_RESPONSE_BYTES) throw new Error('introspection response too large');
      json = JSON.parse(text);
    } catch {
      throw new AuthError('introspection_unavailable');
    }
    if (json === null || typeof json !== 'object') throw new AuthError('introspection_unavailable');
    // RFC 7662 §2.2: anything but `active: true` means inactive.
    return (json as { active?: unknown }).active === true ? (json as ActiveTokenClaims) : null;
  }
}
