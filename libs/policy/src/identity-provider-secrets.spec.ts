import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from './compiled-policy.js';
import { compileSnapshot, type TenantModel } from './compile-snapshot.js';
import { MissingSnapshotSecretsKeyError, type IdentityProviderConfig } from './identity-provider-secrets.js';

const hmacSecret = randomBytes(32).toString('base64url');
const clientSecret = 'introspection-client-secret';

const provider = (id: string, over: Partial<IdentityProviderConfig> = {}): IdentityProviderConfig => ({
  id, name: id, kind: 'oauth', position: 1, issuer: `https://${id}.example`, audiences: [], algorithms: ['HS256', 'RS256'],
  jwksUri: 'https://idp.example/jwks', jwks: null, hmacSecret, clockSkewSeconds: 0, subjectClaim: 'sub', scopeClaim: 'scope',
  introspection: { url: 'https://idp.example/introspect', clientId: 'mcpg', clientSecret }, profile: 'standard', clientCa: null, ...over,
});

const model = (providers: IdentityProviderConfig[]): TenantModel => ({
  tenant: { id: 'tenant-1', slug: 'acme' }, servers: [], apiKeys: [], toolRules: [], identityProviders: providers,
});

describe('identity provider secrets in snapshots', () => {
  const key = randomBytes(32);

  it('are sealed in the snapshot and opened by the proxy holding the key', () => {
    const snapshot = compileSnapshot(model([provider('p1'), provider('p2', { hmacSecret: null, introspection: null, algorithms: ['RS256'] })]), 1, new Date(0), { secretsKey: key });
    expect(JSON.stringify(snapshot)).not.toContain(hmacSecret);
    expect(JSON.stringify(snapshot)).not.toContain(clientSecret);
    const policy = compilePolicy(snapshot, { upstreamCredentialsKey: key });
    expect(policy.unopenedSecretProviderIds).toEqual([]);
    expect(policy.identityProviders[0]).toMatchObject({ hmacSecret, introspection: { clientId: 'mcpg', clientSecret } });
    expect(policy.identityProviders[1]).toMatchObject({ hmacSecret: null, introspection: null });
  });

  it('seal to the same text every time, so recompiling an unchanged tenant changes nothing', () => {
    const a = compileSnapshot(model([provider('p1')]), 1, new Date(0), { secretsKey: key });
    const b = compileSnapshot(model([provider('p1')]), 1, new Date(0), { secretsKey: key });
    expect(a).toEqual(b);
  });

  it('open to nothing under another key or in another tenant, and the provider loses only what needed them', () => {
    const snapshot = compileSnapshot(model([provider('p1')]), 1, new Date(0), { secretsKey: key });
    for (const policy of [
      compilePolicy(snapshot, { upstreamCredentialsKey: randomBytes(32) }),
      compilePolicy(snapshot, {}),
      compilePolicy({ ...snapshot, tenantId: 'tenant-2' }, { upstreamCredentialsKey: key }),
    ]) {
      expect(policy.unopenedSecretProviderIds).toEqual(['p1']);
      expect(policy.identityProviders[0]).toMatchObject({ hmacSecret: null, introspection: null, jwksUri: 'https://idp.example/jwks' });
    }
  });

  it('are never published in clear: without a key a model with secrets does not compile', () => {
    expect(() => compileSnapshot(model([provider('p1')]), 1)).toThrow(MissingSnapshotSecretsKeyError);
    expect(() => compileSnapshot(model([provider('p1', { hmacSecret: null, introspection: null })]), 1)).not.toThrow();
  });
});
