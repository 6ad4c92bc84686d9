import { parseApiKey } from './api-key-format.js';
import { bearerTokenOf } from './bearer-token.js';
import { AuthError, type Principal } from './principal.js';

export interface ApiKeyRecord {
  readonly key: { readonly id: string; readonly name: string };
  readonly isRevoked: boolean;
  /** Epoch ms after which the key no longer works (expiry or end of a rotation overlap). */
  readonly expiresAtMs?: number | null;
}

/**
 * Finds an `mcpg_…` key by its SHA-256.
 * Looking up by hash means the secret is never compared byte by byte, so there is no timing
 * side channel on the secret itself; the map lookup only sees a digest the caller cannot steer.
 */
export function authenticateApiKeyToken<K extends ApiKeyRecord>(
  token: string,
  tenantId: string,
  keysByHash: ReadonlyMap<string, K>,
  nowMs: number = Date.now(),
): { principal: Principal; record: K } {
  const parsed = parseApiKey(token);
  if (!parsed.ok) throw new AuthError('malformed_key');
  const record = keysByHash.get(parsed.hash);
  if (!record) throw new AuthError('unknown_key');
  if (record.isRevoked) throw new AuthError('revoked_key');
  if (record.expiresAtMs != null && nowMs >= record.expiresAtMs) throw new AuthError('expired_key');
  return {
    principal: { tenantId, subject: `apikey:${record.key.id}`, via: 'apikey', scopes: [], keyId: record.key.id },
    record,
  };
}

/** Reads `Authorization: Bearer mcpg_…` and authenticates the key. */
export function authenticateApiKey<K extends ApiKeyRecord>(
  authorization: string | undefined,
  tenantId: string,
  keysByHash: ReadonlyMap<string, K>,
  nowMs: number = Date.now(),
): { principal: Principal; record: K } {
  return authenticateApiKeyToken(bearerTokenOf(authorization), tenantId, keysByHash, nowMs);
}
