import type { IdentityProvider } from '@mcpg/db';
import type { CertificateIdentitySource, SnapshotIdentityProvider } from '@mcpg/policy';

/** A stored row as proxies get it; rows were validated on write, so this only reshapes. */
export function toSnapshotIdentityProvider(row: IdentityProvider): SnapshotIdentityProvider {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as SnapshotIdentityProvider['kind'],
    position: row.position,
    issuer: row.issuer,
    audiences: row.audiences,
    algorithms: row.algorithms as SnapshotIdentityProvider['algorithms'],
    jwksUri: row.jwksUri,
    jwks: row.jwks as SnapshotIdentityProvider['jwks'],
    hmacSecret: row.hmacSecret,
    clockSkewSeconds: row.clockSkewSeconds,
    subjectClaim: row.subjectClaim,
    scopeClaim: row.scopeClaim,
    introspection:
      row.introspectionUrl && row.clientId && row.clientSecret
        ? { url: row.introspectionUrl, clientId: row.clientId, clientSecret: row.clientSecret }
        : null,
    profile: row.profile as SnapshotIdentityProvider['profile'],
    clientCa:
      row.caBundlePem && row.certIdentityFrom
        ? { caBundlePem: row.caBundlePem, identityFrom: row.certIdentityFrom as CertificateIdentitySource }
        : null,
  };
}
