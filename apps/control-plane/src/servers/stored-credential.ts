import type { PrismaClient } from '@mcpg/db';
import type { Logger } from '@mcpg/observability';
import { isSealedUnderCurrentKey, openSecret, sealSecret, sealUpstreamCredential, type SecretsKeyRing, type SnapshotUpstreamCredential, type UpstreamCredentialKind } from '@mcpg/policy';

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
  key: SecretsKeyRing,
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
  key: SecretsKeyRing | null,
  server: { id: string; tenantId: string } & StoredCredentialColumns,
): SnapshotUpstreamCredential | undefined {
  if (!server.credentialSealed || (server.credentialKind !== 'bearer' && server.credentialKind !== 'header')) return undefined;
  const value = key ? openSecret(key, server.credentialSealed, storedContext(server.id)) : null;
  if (value === null) throw new Error(`the credential of upstream server ${server.id} does not open under MCPG_UPSTREAM_CREDENTIALS_KEY`);
  return sealUpstreamCredential(key!, { kind: server.credentialKind, headerName: server.credentialHeaderName, value }, server.tenantId, server.id);
}

/**
 * After a key rotation, seals stored upstream credentials again under the ring's first key.
 * Run on start; a credential no key opens is logged and left alone. Returns the rows rewritten.
 */
export async function resealUpstreamCredentials(prisma: PrismaClient, ring: SecretsKeyRing | null, logger: Logger): Promise<number> {
  if (!ring) return 0;
  const rows = await prisma.upstreamServer.findMany({ where: { credentialSealed: { not: null } }, select: { id: true, credentialSealed: true } });
  let rewritten = 0;
  for (const row of rows) {
    const sealed = row.credentialSealed!;
    if (isSealedUnderCurrentKey(ring, sealed, storedContext(row.id))) continue;
    const value = openSecret(ring, sealed, storedContext(row.id));
    if (value === null) {
      logger.error('an upstream credential opens under no configured key; set it again', { serverId: row.id });
      continue;
    }
    const { count } = await prisma.upstreamServer.updateMany({
      where: { id: row.id, credentialSealed: sealed },
      data: { credentialSealed: sealSecret(ring, value, storedContext(row.id)) },
    });
    rewritten += count;
  }
  if (rewritten > 0) logger.info('upstream credentials sealed again under the current key', { count: rewritten });
  return rewritten;
}
