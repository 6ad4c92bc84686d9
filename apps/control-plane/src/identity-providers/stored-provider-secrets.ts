import type { IdentityProvider, PrismaClient } from '@mcpg/db';
import type { Logger } from '@mcpg/observability';
import { openSecret, sealSecret } from '@mcpg/policy';

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
export function sealProviderSecrets(key: Buffer, providerId: string, secrets: StoredProviderSecrets): StoredProviderSecrets {
  const seal = (column: SecretColumn) => {
    const value = secrets[column];
    return value === null ? null : sealSecret(key, value, storedContext(providerId, column));
  };
  return { hmacSecret: seal('hmacSecret'), clientSecret: seal('clientSecret') };
}

/** One stored secret in clear; null when the row has none or it does not open under `key`. */
export function openProviderSecret(key: Buffer | null, row: Pick<IdentityProvider, 'id' | SecretColumn>, column: SecretColumn): string | null {
  const sealed = row[column];
  return sealed === null || !key ? null : openSecret(key, sealed, storedContext(row.id, column));
}

/**
 * The row's secrets in clear. Throws when one does not open (no key, another key, a value moved
 * from another row): publishing the provider without it would silently change who gets in.
 */
export function openProviderSecrets(key: Buffer | null, row: Pick<IdentityProvider, 'id' | SecretColumn>): StoredProviderSecrets {
  const open = (column: SecretColumn) => {
    if (row[column] === null) return null;
    const value = openProviderSecret(key, row, column);
    if (value === null) throw new Error(`the ${column} of identity provider ${row.id} does not open under MCPG_UPSTREAM_CREDENTIALS_KEY`);
    return value;
  };
  return { hmacSecret: open('hmacSecret'), clientSecret: open('clientSecret') };
}

/**
 * Seals provider secrets stored in clear by versions that did not seal them. Run on start; a row
 * it cannot seal (no key configured) is logged and keeps failing to publish until a key is set.
 */
export async function sealPlaintextProviderSecrets(prisma: PrismaClient, key: Buffer | null, logger: Logger): Promise<number> {
  const rows = await prisma.identityProvider.findMany({
    where: { OR: [{ hmacSecret: { not: null } }, { clientSecret: { not: null } }] },
    select: { id: true, hmacSecret: true, clientSecret: true },
  });
  const plaintext = rows.filter((row) => [row.hmacSecret, row.clientSecret].some((v) => v !== null && !v.startsWith(SEALED_PREFIX)));
  if (plaintext.length === 0) return 0;
  if (!key) {
    logger.error('identity providers hold secrets in clear and MCPG_UPSTREAM_CREDENTIALS_KEY is not set; they cannot be sealed or published', { providerIds: plaintext.map((r) => r.id) });
    return 0;
  }
  for (const row of plaintext) {
    const sealedOrNull = (column: SecretColumn) => {
      const value = row[column];
      return value === null || value.startsWith(SEALED_PREFIX) ? value : sealSecret(key, value, storedContext(row.id, column));
    };
    // Compare-and-set: a concurrent update that already sealed the row wins.
    await prisma.identityProvider.updateMany({
      where: { id: row.id, hmacSecret: row.hmacSecret, clientSecret: row.clientSecret },
      data: { hmacSecret: sealedOrNull('hmacSecret'), clientSecret: sealedOrNull('clientSecret') },
    });
  }
  logger.info('sealed identity provider secrets stored in clear by an earlier version', { count: plaintext.length });
  return plaintext.length;
}
