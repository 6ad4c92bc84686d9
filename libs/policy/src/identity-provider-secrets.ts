import { isSealedUnderCurrentKey, openSecret, sealSecret, type SecretsKeyRing } from './secret-box.js';
import type { SnapshotIdentityProvider, TenantSnapshot } from './snapshot.js';
import { snapshotCredentialContext } from './upstream-credential.js';

/**
 * An identity provider as the proxy uses it: the snapshot's entry with its secrets opened (the
 * HS256 shared secret, base64url, and the introspection client secret). Exists only in memory.
 */
export type IdentityProviderConfig = Omit<SnapshotIdentityProvider, 'hmacSecretSealed' | 'introspection'> & {
  readonly hmacSecret: string | null;
  readonly introspection: { readonly url: string; readonly clientId: string; readonly clientSecret: string } | null;
};

/** Associated data of a provider secret in a snapshot: it opens only for this tenant's provider and purpose. */
const snapshotSecretContext = (tenantId: string, providerId: string, purpose: 'hmac' | 'introspection-client'): string =>
  `snapshot-idp-secret:${tenantId}:${providerId}:${purpose}`;

/** Thrown when a provider has secrets but there is no key to seal them with. */
export class MissingSnapshotSecretsKeyError extends Error {
  override readonly name = 'MissingSnapshotSecretsKeyError';
}

/** The snapshot entry of `provider`, its secrets sealed under `key` (see secret-box.ts). */
export function sealIdentityProviderSecrets(key: SecretsKeyRing | null, tenantId: string, provider: IdentityProviderConfig): SnapshotIdentityProvider {
  const { hmacSecret, introspection, ...rest } = provider;
  const hasSecrets = hmacSecret !== null || introspection !== null;
  if (hasSecrets && !key) {
    throw new MissingSnapshotSecretsKeyError(`identity provider ${provider.id} has secrets, and no key (MCPG_UPSTREAM_CREDENTIALS_KEY) is configured to seal them`);
  }
  return {
    ...rest,
    hmacSecretSealed: hmacSecret === null ? null : sealSecret(key!, hmacSecret, snapshotSecretContext(tenantId, provider.id, 'hmac')),
    introspection:
      introspection === null
        ? null
        : {
            url: introspection.url,
            clientId: introspection.clientId,
            clientSecretSealed: sealSecret(key!, introspection.clientSecret, snapshotSecretContext(tenantId, provider.id, 'introspection-client')),
          },
  };
}

/**
 * The provider with its secrets opened, or with `isSealedSecretUnopened` when one did not open
 * (no key, another key, tampered, moved between tenants): that provider then has no HS256 secret
 * or no introspection, and tokens that need them are refused rather than checked with nothing.
 */
export function openIdentityProviderSecrets(
  key: SecretsKeyRing | null,
  tenantId: string,
  provider: SnapshotIdentityProvider,
): { provider: IdentityProviderConfig; isSealedSecretUnopened: boolean } {
  const { hmacSecretSealed, introspection, ...rest } = provider;
  const open = (sealed: string, purpose: 'hmac' | 'introspection-client') => (key ? openSecret(key, sealed, snapshotSecretContext(tenantId, provider.id, purpose)) : null);
  const hmacSecret = hmacSecretSealed === null ? null : open(hmacSecretSealed, 'hmac');
  const clientSecret = introspection === null ? null : open(introspection.clientSecretSealed, 'introspection-client');
  return {
    provider: {
      ...rest,
      hmacSecret,
      introspection: introspection === null || clientSecret === null ? null : { url: introspection.url, clientId: introspection.clientId, clientSecret },
    },
    isSealedSecretUnopened: (hmacSecretSealed !== null && hmacSecret === null) || (introspection !== null && clientSecret === null),
  };
}

/**
 * Whether every secret sealed in `snapshot` (upstream credentials, provider secrets) is sealed
 * under the ring's first key. False after a key rotation until the tenant is compiled again.
 */
export function isSnapshotSealedUnderCurrentKey(ring: SecretsKeyRing, snapshot: TenantSnapshot): boolean {
  const sealed = (value: string, context: string) => isSealedUnderCurrentKey(ring, value, context);
  return (
    snapshot.servers.every((server) => !server.credential || sealed(server.credential.sealedValue, snapshotCredentialContext(snapshot.tenantId, server.id))) &&
    snapshot.identityProviders.every(
      (provider) =>
        (provider.hmacSecretSealed === null || sealed(provider.hmacSecretSealed, snapshotSecretContext(snapshot.tenantId, provider.id, 'hmac'))) &&
        (provider.introspection === null || sealed(provider.introspection.clientSecretSealed, snapshotSecretContext(snapshot.tenantId, provider.id, 'introspection-client'))),
    )
  );
}
