import type { IdentityProvider } from '@mcpg/db';
import type { CertificateIdentitySource, IdentityProviderConfig, SecretsKeyRing } from '@mcpg/policy';
import { openProviderSecrets } from './stored-provider-secrets.js';

/**
 * A stored row as the snapshot compiler takes it: secrets opened (compileSnapshot seals them
 * again for proxies). Rows were validated on write, so this only reshapes.
 */
export function toIdentityProviderConfig(row: IdentityProvider, secretsKey: SecretsKeyRing | null): IdentityProviderConfig {
  const { hmacSecret, clientSecret } = openProviderSecrets(secretsKey, row);
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as IdentityProviderConfig['kind'],
    position: row.position,
    issuer: row.issuer,
    audiences: row.audiences,
    algorithms: row.algorithms as IdentityProviderConfig['algorithms'],
    jwksUri: row.jwksUri,
    jwks: row.jwks as IdentityProviderConfig['jwks'],
    hmacSecret,
    clockSkewSeconds: row.clockSkewSeconds,
    subjectClaim: row.subjectClaim,
    scopeClaim: row.scopeClaim,
    introspection: row.introspectionUrl && row.clientId && clientSecret ? { url: row.introspectionUrl, clientId: row.clientId, clientSecret } : null,
    profile: row.profile as IdentityProviderConfig['profile'],
    clientCa:
      row.caBundlePem && row.certIdentityFrom
        ? { caBundlePem: row.caBundlePem, identityFrom: row.certIdentityFrom as CertificateIdentitySource, crlPem: row.crlPem }
        : null,
  };
}
