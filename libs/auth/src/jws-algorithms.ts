import { timingSafeEqual, createHmac, verify, type KeyObject } from 'node:crypto';

/** The JWS algorithms an identity provider may allow (DESIGN.md §5). */
export type JwsAlgorithm = 'HS256' | 'RS256' | 'ES256' | 'EdDSA';

const MIN_RSA_MODULUS_BITS = 2048;

/**
 * Whether `key` is of the kind `alg` needs: an RSA key of at least 2048 bits for RS256, a P-256
 * key for ES256, an Ed25519/Ed448 key for EdDSA, a secret for HS256. Checked when a key is chosen,
 * so a key of one kind can never verify a signature made for another (algorithm confusion).
 */
export function isKeyUsableFor(alg: JwsAlgorithm, key: KeyObject): boolean {
  switch (alg) {
    case 'HS256':
      return key.type === 'secret';
    case 'RS256':
      return key.type === 'public' && key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= MIN_RSA_MODULUS_BITS;
    case 'ES256':
      return key.type === 'public' && key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
    case 'EdDSA':
      return key.type === 'public' && (key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448');
  }
}

/**
 * Checks a JWS signature synchronously with node:crypto. WebCrypto (which jose uses) costs tens
 * of microseconds more per token in promise and key-conversion overhead; this runs in the proxy's
 * hot path. The caller has already checked `isKeyUsableFor(alg, key)`.
 */
export function verifyJwsSignature(alg: JwsAlgorithm, key: KeyObject, signingInput: Buffer, signature: Buffer): boolean {
  switch (alg) {
    case 'HS256': {
      const expected = createHmac('sha256', key).update(signingInput).digest();
      return expected.length === signature.length && timingSafeEqual(expected, signature);
    }
    case 'RS256':
      return verify('sha256', signingInput, key, signature);
    case 'ES256':
      // JWS carries ECDSA signatures as r ‖ s (RFC 7518 §3.4), not DER.
      return signature.length === 64 && verify('sha256', signingInput, { key, dsaEncoding: 'ieee-p1363' }, signature);
    case 'EdDSA':
      return verify(null, signingInput, key, signature);
  }
}

export function isJwsAlgorithm(value: unknown): value is JwsAlgorithm {
  return value === 'HS256' || value === 'RS256' || value === 'ES256' || value === 'EdDSA';
}
