import type { IdentityProvider, PrismaClient } from '@mcpg/db';
import type { Logger } from '@mcpg/observability';
import { isSealedUnderCurrentKey, openSecret, sealSecret, type SecretsKeyRing } from '@mcpg/policy';

export type SecretColumn = 'hmacSecret' | 'clientSecret';

/** Associated data at rest: a sealed value copied onto another provider's row or column opens to nothing. */
const storedContext = (providerId: string, column: SecretColumn): string => `db-idp-secret:${providerId}:${column}`;

const SEALED_PREFIX = 'sb1.';

/** The two secret columns of an identity provider, as stored: sealed, or null. */
export interface StoredProviderSecrets {
  hmacSecret: string | null;
  clientSecret: string | null;
}

/** Seals the secrets (in clear, as the admin sent them) for the row `providerId`. */
export function sealProviderSecrets(key: SecretsKeyRing, providerId: string, secrets: StoredProviderSecrets): StoredProviderSecrets {
  const seal = (column: SecretColumn) => {
    const value = secrets[column];
    return value === null ? null : sealSecret(key, value, storedContext(providerId, column));
  };
  return { hmacSecret: seal('hmacSecret'), clientSecret: seal('clientSecret') };
}

/** One stored secret in clear; null when the row has none or it does not open under `key`. */
export function openProviderSecret(key: SecretsKeyRing | null, row: Pick<IdentityProvider, 'id' | SecretColumn>, column: SecretColumn): string | null {
  const sealed = row[column];
  return sealed === null || !key ? null : openSecret(key, sealed, storedContext(row.id, column));
}

/**
 * The row's secrets in clear. Throws when one does not open (no key, another key, a value moved
 * from another row): publishing the provider without it would silently change who gets in.
 */
export function openProviderSecrets(key: SecretsKeyRing | null, row: Pick<IdentityProvider, 'id' | SecretColumn>): StoredProviderSecrets {
  const open = (column: SecretColumn) => {
    if (row[column] === null) return null;
    const value = openProviderSecret(key, row, column);
    if (value === null) throw new Error(`the ${column} of identity provider ${row.id} does not open under MCPG_UPSTREAM_CREDENTIALS_KEY`);
    return value;
  };
  return { hmacSecret: open('hmacSecret'), clientSecret: open('clientSecret') };
}

/**
 * Brings stored provider secrets under the ring's first key: values stored in clear by versions
 * that did not seal them, and values sealed under an older key of the ring (after a rotation).
 * Run on start. A value no key opens is logged and left alone (its provider fails to publish
 * until an admin sends the secret again). Returns how many rows were rewritten.
 */
export async function resealProviderSecrets(prisma: PrismaClient, ring: SecretsKeyRing | null, logger: Logger): Promise<number> {
  const rows = await prisma.identityProvider.findMany({
    where: { OR: [{ hmacSecret: { not: null } }, { clientSecret: { not: null } }] },
    select: { id: true, hmacSecret: true, clientSecret: true },
  });
  const isCurrent = (row: (typeof rows)[number], column: SecretColumn) => {
    const value = row[column];
    return value === null || (ring !== null && isSealedUnderCurrentKey(ring, value, storedContext(row.id, column)));
  };
  const stale = rows.filter((row) => !isCurrent(row, 'hmacSecret') || !isCurrent(row, 'clientSecret'));
  if (stale.length === 0) return 0;
  if (!ring) {
    logger.error('identity providers hold secrets and MCPG_UPSTREAM_CREDENTIALS_KEY is not set; they cannot be sealed or published', { providerIds: stale.map((r) => r.id) });
    return 0;
  }
  let rewritten = 0;
  for (const row of stale) {
    const inClear = (column: SecretColumn) => {
      const value = row[column];
      if (value === null) return null;
      return value.startsWith(SEALED_PREFIX) ? openSecret(ring, value, storedContext(row.id, column)) : value;
    };
    const secrets = { hmacSecret: inClear('hmacSecret'), clientSecret: inClear('clientSecret') };
    if ((row.hmacSecret !== null && secrets.hmacSecret === null) || (row.clientSecret !== null && secrets.clientSecret === null)) {
      logger.error('an identity provider secret opens under no configured key; send it again', { providerId: row.id });
      continue;
    }
    // Compare-and-set: a concurrent update that already rewrote the row wins.
    const { count } = await prisma.identityProvider.updateMany({
      where: { id: row.id, hmacSecret: row.hmacSecret, clientSecret: row.clientSecret },
      data: sealProviderSecrets(ring, row.id, secrets),
    });
    rewritten += count;
  }
  logger.info('identity provider secrets sealed again under the current key', { count: rewritten });
  return rewritten;
}
