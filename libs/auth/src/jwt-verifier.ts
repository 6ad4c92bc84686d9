import type { SnapshotIdentityProvider } from '@mcpg/policy';
import { base64url, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type CryptoKey, type JWTPayload, type JWSHeaderParameters } from 'jose';
import type { JwksCache } from './jwks-cache.js';
import { AuthError } from './principal.js';

/** A compact JWS looks like this; anything else is not a JWT (it may be an opaque OAuth token). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function looksLikeJwt(token: string): boolean {
  return COMPACT_JWS.test(token);
}

/** The unverified issuer, used only to pick the provider that will verify the token. */
export function unverifiedIssuerOf(token: string): string | null {
  try {
    const iss = decodeJwt(token).iss;
    return typeof iss === 'string' ? iss : null;
  } catch {
    throw new AuthError('malformed_token');
  }
}

/**
 * Verifies JWTs for one identity provider. Built once per snapshot; the HS256 secret is imported
 * here, JWKS keys come from the shared cache.
 */
export class JwtVerifier {
  /** Imported once: jose would otherwise import raw secret bytes again on every verification. */
  private readonly hmacKey: Promise<CryptoKey> | null;
  private readonly algorithms: readonly string[];

  constructor(
    readonly provider: SnapshotIdentityProvider,
    private readonly jwks: JwksCache,
    private readonly inlineKeys: ((header: JWSHeaderParameters) => Promise<CryptoKey>) | null,
  ) {
    this.hmacKey = provider.hmacSecret
      ? crypto.subtle.importKey('raw', base64url.decode(provider.hmacSecret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
      : null;
    this.algorithms = provider.algorithms;
  }

  /**
   * Checks signature (allowed algorithms only), `iss`, `aud` (any of `audiences`), `exp` (required),
   * `nbf`, with the provider's clock skew. Every failure is an AuthError naming the reason.
   */
  async verify(token: string, audiences: readonly string[], nowMs: number = Date.now()): Promise<JWTPayload> {
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new AuthError('malformed_token');
    }
    // Before any key lookup: `none`, and HS256 when only asymmetric keys are configured, stop here.
    if (typeof alg !== 'string' || !this.algorithms.includes(alg)) throw new AuthError('algorithm_not_allowed');
    if (audiences.length === 0) throw new AuthError('wrong_audience');
    try {
      const { payload } = await jwtVerify(token, (header) => this.keyFor(header), {
        algorithms: [...this.algorithms],
        issuer: this.provider.issuer,
        audience: [...audiences],
        clockTolerance: this.provider.clockSkewSeconds,
        requiredClaims: ['exp'],
        currentDate: new Date(nowMs),
      });
      return payload;
    } catch (err) {
      throw toAuthError(err);
    }
  }

  private async keyFor(header: JWSHeaderParameters): Promise<CryptoKey> {
    // HMAC only ever with the configured shared secret, never with a key from a JWKS: a token
    // "signed" with the RSA public key as HMAC secret can therefore never verify.
    if (header.alg === 'HS256') {
      if (!this.hmacKey) throw new AuthError('algorithm_not_allowed');
      return this.hmacKey;
    }
    if (this.inlineKeys) {
      try {
        return await this.inlineKeys(header);
      } catch (err) {
        if (!(err instanceof errors.JWKSNoMatchingKey) || !this.provider.jwksUri) throw err;
      }
    }
    if (!this.provider.jwksUri) throw new AuthError('unknown_key_id');
    return this.jwks.keyFor(this.provider.jwksUri, header);
  }
}

function toAuthError(err: unknown): AuthError {
  if (err instanceof AuthError) return err;
  if (err instanceof errors.JWTExpired) return new AuthError('token_expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf') return new AuthError('token_not_yet_valid');
    if (err.claim === 'iss') return new AuthError('wrong_issuer');
    if (err.claim === 'aud') return new AuthError('wrong_audience');
    return new AuthError('invalid_claims');
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) return new AuthError('algorithm_not_allowed');
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) return new AuthError('unknown_key_id');
  if (err instanceof errors.JWSSignatureVerificationFailed) return new AuthError('bad_signature');
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return new AuthError('malformed_token');
  // Anything else (a key that will not import, a JWK of the wrong type) is still the token's fault.
  return new AuthError('bad_signature');
}
