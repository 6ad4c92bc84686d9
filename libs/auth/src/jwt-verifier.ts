import type { IdentityProviderConfig } from '@mcpg/policy';
import { createSecretKey, type KeyObject } from 'node:crypto';
import type { CompactJwt } from './compact-jwt.js';
import type { JwksCache } from './jwks-cache.js';
import { isJwsAlgorithm, isKeyUsableFor, verifyJwsSignature, type JwsAlgorithm } from './jws-algorithms.js';
import type { JwkKeySet } from './jwk-key-set.js';
import { AuthError } from './principal.js';

/** The verified claims of a token; `exp` is always present (it is required). */
export type VerifiedClaims = Readonly<Record<string, unknown>> & { readonly exp: number };

/** The unverified issuer, used only to pick the provider that will verify the token. */
export function unverifiedIssuerOf(jwt: CompactJwt): string | null {
  return typeof jwt.claims.iss === 'string' ? jwt.claims.iss : null;
}

/**
 * Verifies JWTs for one identity provider: signature with node:crypto (see jws-algorithms.ts),
 * then the registered claims. Built once per snapshot: the HS256 secret and inline keys are
 * imported here, JWKS keys come from the shared cache.
 */
export class JwtVerifier {
  private readonly hmacKey: KeyObject | null;
  private readonly algorithms: ReadonlySet<string>;

  constructor(
    readonly provider: IdentityProviderConfig,
    private readonly jwks: JwksCache,
    private readonly inlineKeys: JwkKeySet | null,
  ) {
    this.hmacKey = provider.hmacSecret ? createSecretKey(Buffer.from(provider.hmacSecret, 'base64url')) : null;
    this.algorithms = new Set(provider.algorithms);
  }

  /**
   * Checks the signature (allowed algorithms only), `iss`, `aud` (any of `audiences`), `exp`
   * (required), `nbf` and `iat` types, with the provider's clock skew. Every failure is an
   * AuthError naming the reason.
   */
  async verify(jwt: CompactJwt, audiences: readonly string[], nowMs: number = Date.now()): Promise<VerifiedClaims> {
    const { alg, kid, crit, b64 } = jwt.header;
    // Before any key lookup: `none`, and HS256 when only asymmetric keys are configured, stop here.
    if (!isJwsAlgorithm(alg) || !this.algorithms.has(alg)) throw new AuthError('algorithm_not_allowed');
    // No JWS extension is understood here, so a token that says one is critical must be refused
    // (RFC 7515 §4.1.11), and an unencoded payload (RFC 7797) is not a JWT.
    if (crit !== undefined || b64 !== undefined) throw new AuthError('malformed_token');
    if (kid !== undefined && typeof kid !== 'string') throw new AuthError('malformed_token');
    if (audiences.length === 0) throw new AuthError('wrong_audience');
    const keys = await this.keysFor(alg, kid, nowMs);
    if (!keys.some((key) => verifyJwsSignature(alg, key, jwt.signingInput, jwt.signature))) throw new AuthError('bad_signature');
    return this.checkClaims(jwt.claims, audiences, nowMs);
  }

  private async keysFor(alg: JwsAlgorithm, kid: string | undefined, nowMs: number): Promise<KeyObject[]> {
    // HMAC only ever with the configured shared secret, never with a key from a JWKS: a token
    // "signed" with the RSA public key as HMAC secret can therefore never verify.
    if (alg === 'HS256') {
      if (!this.hmacKey || !isKeyUsableFor(alg, this.hmacKey)) throw new AuthError('algorithm_not_allowed');
      return [this.hmacKey];
    }
    const inline = this.inlineKeys?.candidatesFor(alg, kid) ?? [];
    if (inline.length > 0) return inline;
    if (!this.provider.jwksUri) throw new AuthError('unknown_key_id');
    return this.jwks.keysFor(this.provider.jwksUri, alg, kid, nowMs);
  }

  private checkClaims(claims: Readonly<Record<string, unknown>>, audiences: readonly string[], nowMs: number): VerifiedClaims {
    const now = Math.floor(nowMs / 1000);
    const skew = this.provider.clockSkewSeconds;
    const { exp, nbf, iat, iss, aud } = claims;
    if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new AuthError('invalid_claims');
    if (nbf !== undefined && (typeof nbf !== 'number' || !Number.isFinite(nbf))) throw new AuthError('invalid_claims');
    if (iat !== undefined && (typeof iat !== 'number' || !Number.isFinite(iat))) throw new AuthError('invalid_claims');
    if (exp <= now - skew) throw new AuthError('token_expired');
    if (nbf !== undefined && nbf > now + skew) throw new AuthError('token_not_yet_valid');
    if (iss !== this.provider.issuer) throw new AuthError('wrong_issuer');
    const named = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
    if (!named.some((a) => typeof a === 'string' && audiences.includes(a))) throw new AuthError('wrong_audience');
    return claims as VerifiedClaims;
  }
}
