import { z } from 'zod';
import { openSecret, sealSecret, type SecretsKeyRing } from './secret-box.js';

/**
 * What a proxy sends to an upstream server on every request, in place of the client's own
 * credential (which never leaves the proxy): a bearer token, or a custom header such as X-API-Key.
 */
export const upstreamCredentialKindSchema = z.enum(['bearer', 'header']);
export type UpstreamCredentialKind = z.infer<typeof upstreamCredentialKindSchema>;

/** In the snapshot: the value sealed for proxies (see secret-box.ts), never in clear. */
export const snapshotUpstreamCredentialSchema = z.object({
  kind: upstreamCredentialKindSchema,
  /** For kind `header`: the header's name, lower case. */
  headerName: z.string().optional(),
  sealedValue: z.string(),
});
export type SnapshotUpstreamCredential = z.infer<typeof snapshotUpstreamCredentialSchema>;

/** For people to read (version listings, diffs): the credential's kind and header, not even its sealed value. */
export function displayableCredential(credential: SnapshotUpstreamCredential): Omit<SnapshotUpstreamCredential, 'sealedValue'> {
  const { sealedValue: _sealed, ...shown } = credential;
  return shown;
}

/** A credential ready to go on the wire: header name (lower case) and value. */
export interface UpstreamCredentialHeader {
  readonly name: string;
  readonly value: string;
}

/** Associated data of a credential sealed into a snapshot: it opens only for this tenant's server. */
export const snapshotCredentialContext = (tenantId: string, serverId: string): string => `snapshot-upstream-credential:${tenantId}:${serverId}`;

export function sealUpstreamCredential(
  key: SecretsKeyRing,
  credential: { kind: UpstreamCredentialKind; headerName?: string | null; value: string },
  tenantId: string,
  serverId: string,
): SnapshotUpstreamCredential {
  return {
    kind: credential.kind,
    ...(credential.kind === 'header' && credential.headerName ? { headerName: credential.headerName.toLowerCase() } : {}),
    sealedValue: sealSecret(key, credential.value, snapshotCredentialContext(tenantId, serverId)),
  };
}

/** The header to send, or null when the value does not open under `key` (wrong key, tampered, moved). */
export function openUpstreamCredential(key: SecretsKeyRing, credential: SnapshotUpstreamCredential, tenantId: string, serverId: string): UpstreamCredentialHeader | null {
  const value = openSecret(key, credential.sealedValue, snapshotCredentialContext(tenantId, serverId));
  if (value === null) return null;
  if (credential.kind === 'bearer') return { name: 'authorization', value: `Bearer ${value}` };
  return credential.headerName ? { name: credential.headerName, value } : null;
}
