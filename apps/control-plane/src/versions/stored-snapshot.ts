import { displayableCredential, tenantSnapshotSchema, type SnapshotChange, type TenantSnapshot } from '@mcpg/policy';
import type { SnapshotChangeModel } from './version.model.js';

/**
 * The snapshot inside a stored JWS. Not verified: the row was signed by this control plane and
 * read from its own database; the payload is only decoded and schema-checked.
 */
export function decodeStoredSnapshot(jws: string): TenantSnapshot {
  const payload = jws.split('.')[1] ?? '';
  return tenantSnapshotSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
}

export function toChangeModel(change: SnapshotChange): SnapshotChangeModel {
  return {
    section: change.section,
    id: change.id,
    kind: change.kind,
    fields: [...change.fields],
    before: change.before ? JSON.stringify(change.before) : null,
    after: change.after ? JSON.stringify(change.after) : null,
  };
}

/** A snapshot as admins may read it: key hashes and sealed credentials and secrets removed. */
export function displayableSnapshot(snapshot: TenantSnapshot): string {
  return JSON.stringify({
    ...snapshot,
    servers: snapshot.servers.map((server) => (server.credential ? { ...server, credential: displayableCredential(server.credential) } : server)),
    apiKeys: snapshot.apiKeys.map(({ hash: _hash, ...key }) => key),
    identityProviders: snapshot.identityProviders.map(({ hmacSecretSealed, introspection, ...provider }) => ({
      ...provider,
      hasHmacSecret: hmacSecretSealed !== null,
      introspection: introspection && { url: introspection.url, clientId: introspection.clientId },
    })),
  });
}
