import { parseApiKey } from './api-key-format.js';
import { AuthError, type Principal } from './principal.js';

export interface ApiKeyRecord {
  readonly key: { readonly id: string; readonly name: string };
  readonly isRevoked: boolean;
}

/**
 * Reads `Authorization: Bearer mcpg_…` and finds the key by its SHA-256.
 * Looking up by hash means the secret is never compared byte by byte, so there is no timing
 * side channel on the secret itself; the map lookup only sees a digest the caller cannot steer.
 */
export function authenticateApiKey<K extends ApiKeyRecord>(
  authorization: string | undefined,
  tenantId: string,
  keysByHash: ReadonlyMap<string, K>,
): { principal: Principal; record: K } {
  if (!authorization) throw new AuthError('missing_credentials');
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
  if (!match) throw new AuthError('unsupported_scheme');
  const parsed = parseApiKey(match[1]!);
  if (!parsed.ok) throw new AuthError('malformed_key');
  const record = keysByHash.get(parsed.hash);
  if (!record) throw new AuthError('unknown_key');
  if (record.isRevoked) throw new AuthError('revoked_key');
  return {
    principal: { tenantId, subject: `apikey:${record.key.id}`, via: 'apikey', scopes: [], keyId: record.key.id },
    record,
  };
}
