import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { isKeyUsableFor, type JwsAlgorithm } from './jws-algorithms.js';

/** A token that names no `kid` is tried against at most this many keys of its algorithm. */
export const MAX_KEYS_TRIED_PER_TOKEN = 4;

interface UsableKey {
  readonly kid: string | undefined;
  readonly alg: JwsAlgorithm;
  readonly key: KeyObject;
}

/** Thrown when a document is not a JWK set at all: the caller keeps whatever it had before. */
export class NotAJwkSetError extends Error {
  override readonly name = 'NotAJwkSetError';
}

/**
 * The signature keys of a JWK set (RFC 7517), imported once as node:crypto KeyObjects. A key
 * serves one algorithm, taken from its own `alg` or else from its type and curve; keys meant for
 * encryption (`use`, `key_ops`), symmetric keys (`oct` — HMAC secrets come only from the
 * provider's configuration, never from a JWKS), keys too weak for their algorithm and keys that
 * will not import are left out, so one odd key does not take the whole set down.
 */
export class JwkKeySet {
  private readonly keys: readonly UsableKey[];
  /** Keys of the set that were left out, with why; for the operator's log. */
  readonly skipped: ReadonlyArray<{ kid: string | undefined; reason: string }>;

  constructor(document: unknown) {
    if (document === null || typeof document !== 'object' || !Array.isArray((document as { keys?: unknown }).keys)) {
      throw new NotAJwkSetError('not a JWK set: expected an object with a "keys" array');
    }
    const keys: UsableKey[] = [];
    const skipped: Array<{ kid: string | undefined; reason: string }> = [];
    for (const jwk of (document as { keys: unknown[] }).keys) {
      const outcome = usableKeyOf(jwk);
      if ('reason' in outcome) skipped.push(outcome);
      else keys.push(outcome);
    }
    this.keys = keys;
    this.skipped = skipped;
  }

  get size(): number {
    return this.keys.length;
  }

  /** Keys that may verify a token signed with `alg` naming `kid` (any key of `alg` when no kid). */
  candidatesFor(alg: JwsAlgorithm, kid: string | undefined): KeyObject[] {
    const found: KeyObject[] = [];
    for (const usable of this.keys) {
      if (usable.alg !== alg || (kid !== undefined && usable.kid !== kid)) continue;
      found.push(usable.key);
      if (found.length === MAX_KEYS_TRIED_PER_TOKEN) break;
    }
    return found;
  }
}

function usableKeyOf(jwk: unknown): UsableKey | { kid: string | undefined; reason: string } {
  if (jwk === null || typeof jwk !== 'object') return { kid: undefined, reason: 'not an object' };
  const fields = jwk as Record<string, unknown>;
  const kid = typeof fields.kid === 'string' ? fields.kid : undefined;
  if (fields.use !== undefined && fields.use !== 'sig') return { kid, reason: `use is ${String(fields.use)}` };
  if (Array.isArray(fields.key_ops) && !fields.key_ops.includes('verify')) return { kid, reason: 'key_ops lacks verify' };
  const alg = algorithmOf(fields);
  if (alg === null) return { kid, reason: `no supported algorithm for kty ${String(fields.kty)}${fields.alg ? ` alg ${String(fields.alg)}` : ''}` };
  let key: KeyObject;
  try {
    // Only the public members: a JWKS that carelessly includes `d` must not make us hold a private key.
    key = createPublicKey({ key: publicMembersOf(fields), format: 'jwk' });
  } catch (err) {
    return { kid, reason: `does not import: ${(err as Error).message}` };
  }
  if (!isKeyUsableFor(alg, key)) return { kid, reason: `too weak or wrong curve for ${alg}` };
  return { kid, alg, key };
}

function algorithmOf(jwk: Record<string, unknown>): JwsAlgorithm | null {
  const implied: JwsAlgorithm | null =
    jwk.kty === 'RSA' ? 'RS256'
    : jwk.kty === 'EC' && jwk.crv === 'P-256' ? 'ES256'
    : jwk.kty === 'OKP' && (jwk.crv === 'Ed25519' || jwk.crv === 'Ed448') ? 'EdDSA'
    : null;
  if (implied === null) return null;
  // A key that says it is for another algorithm (PS256 on an RSA key, say) is not used for ours.
  return jwk.alg === undefined || jwk.alg === implied ? implied : null;
}

function publicMembersOf(jwk: Record<string, unknown>): JsonWebKey {
  const { kty, crv, x, y, n, e } = jwk;
  return Object.fromEntries(Object.entries({ kty, crv, x, y, n, e }).filter(([, v]) => v !== undefined)) as JsonWebKey;
}
