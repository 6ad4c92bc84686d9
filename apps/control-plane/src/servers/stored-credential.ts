import { openSecret, sealSecret, sealUpstreamCredential, type SnapshotUpstreamCredential, type UpstreamCredentialKind } from '@mcpg/policy';

/** Associated data at rest: a sealed value copied onto another server's row opens to nothing. */
const storedContext = (serverId: string): string => `db-upstream-credential:${serverId}`;

/** The UpstreamServer columns that hold a credential; all null when there is none. */
export interface StoredCredentialColumns {
  credentialKind: string | null;
  credentialHeaderName: string | null;
  credentialSealed: string | null;
}

export const NO_CREDENTIAL: StoredCredentialColumns = { credentialKind: null, credentialHeaderName: null, credentialSealed: null };

export function storedCredentialColumns(
  key: Buffer,
  serverId: string,
  credential: { kind: UpstreamCredentialKind; headerName: string | null; value: string },
): StoredCredentialColumns {
  return { credentialKind: credential.kind, credentialHeaderName: credential.headerName, credentialSealed: sealSecret(key, credential.value, storedContext(serverId)) };
}

/**
 * The server's credential re-sealed for proxies (bound to tenant and server), or undefined when it
 * has none. Throws when it has one the key cannot open: publishing the server without it would
 * silently turn its upstream's authentication off.
 */
export function snapshotCredentialOf(
  key: Buffer | null,
  server: { id: string; tenantId: string } & StoredCredentialColumns,
): SnapshotUpstreamCredential | undefined {
  if (!server.credentialSealed || (server.credentialKind !== 'bearer' && server.credentialKind !== 'header')) return undefined;
  const value = key ? openSecret(key, server.credentialSealed, storedContext(server.id)) : null;
  if (value === null) throw new Error(`the credential of upstream server ${server.id} does not open under MCPG_UPSTREAM_CREDENTIALS_KEY`);
  return sealUpstreamCredential(key!, { kind: server.credentialKind, headerName: server.credentialHeaderName, value }, server.tenantId, server.id);
}
