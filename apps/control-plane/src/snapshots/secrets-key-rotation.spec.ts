import { randomBytes } from 'node:crypto';
import { openIdentityProviderSecrets, openUpstreamCredential } from '@mcpg/policy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneHarness } from '../testing/control-plane-harness.js';

const ADD_SERVER = 'mutation($input: AddUpstreamServerInput!) { addUpstreamServer(input: $input) { id } }';
const ADD_IDP = 'mutation($input: CreateIdentityProviderInput!) { createIdentityProvider(input: $input) { id } }';

/**
 * Rotating MCPG_UPSTREAM_CREDENTIALS_KEY: start the control plane with `new,old`; it seals every
 * stored secret and every tenant's snapshot again under the new key, so the old one can go.
 */
describe('secrets key rotation', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const bearer = 'upstream-bearer-9c1e77';
  const hmacSecret = randomBytes(32).toString('base64url');
  let cp: ControlPlaneHarness;
  let tenantId: string;
  let serverId: string;
  let providerId: string;

  beforeAll(async () => {
    cp = await ControlPlaneHarness.start('cp_secrets_key_rotation', { upstreamCredentialsKey: oldKey });
    tenantId = (await cp.createTenant('rotate')).id;
    serverId = (await cp.ok<{ addUpstreamServer: { id: string } }>(ADD_SERVER, {
      input: { tenantId, name: 'files', url: 'https://upstream.example/mcp', credential: { kind: 'BEARER', value: bearer } },
    })).addUpstreamServer.id;
    providerId = (await cp.ok<{ createIdentityProvider: { id: string } }>(ADD_IDP, {
      input: { tenantId, name: 'hs', issuer: 'https://hs.example', audiences: ['mcp'], algorithms: ['HS256'], hmacSecret },
    })).createIdentityProvider.id;
  });
  afterAll(() => cp?.close());

  it('seals stored secrets and the tenant snapshot again under the first key, so proxies can drop the old one', async () => {
    const before = await cp.manifestVersion(tenantId);
    await cp.stopApp(cp.currentApp!);
    await cp.startApp({ upstreamCredentialsKey: [newKey, oldKey] });

    const version = await cp.manifestVersion(tenantId);
    expect(version).toBe(before + 1);
    const { snapshot } = await cp.snapshotInRedis(tenantId);
    // A proxy holding only the new key opens everything.
    const server = snapshot.servers.find((s) => s.id === serverId)!;
    expect(openUpstreamCredential(newKey, server.credential!, tenantId, serverId)).toEqual({ name: 'authorization', value: `Bearer ${bearer}` });
    expect(openUpstreamCredential(oldKey, server.credential!, tenantId, serverId)).toBeNull();
    const provider = snapshot.identityProviders.find((p) => p.id === providerId)!;
    expect(openIdentityProviderSecrets(newKey, tenantId, provider)).toMatchObject({ isSealedSecretUnopened: false, provider: { hmacSecret } });

    // At rest too: another restart with the new key alone still compiles the tenant.
    await cp.stopApp(cp.currentApp!);
    await cp.startApp({ upstreamCredentialsKey: newKey });
    expect(await cp.manifestVersion(tenantId)).toBe(version);
    await cp.ok('mutation($input: UpdateIdentityProviderInput!) { updateIdentityProvider(input: $input) { id } }', { input: { id: providerId, clockSkewSeconds: 10 } });
    const after = (await cp.snapshotInRedis(tenantId)).snapshot;
    expect(openIdentityProviderSecrets(newKey, tenantId, after.identityProviders[0]!).provider.hmacSecret).toBe(hmacSecret);
    expect(openUpstreamCredential(newKey, after.servers[0]!.credential!, tenantId, serverId)).not.toBeNull();
  });

  it('refuses the same key listed twice', async () => {
    const { loadControlPlaneConfig } = await import('../config.js');
    const key = newKey.toString('base64');
    expect(() => loadControlPlaneConfig({ ...minimalEnv(), MCPG_UPSTREAM_CREDENTIALS_KEY: `${key},${key}` })).toThrow(/MCPG_UPSTREAM_CREDENTIALS_KEY/);
    expect(loadControlPlaneConfig({ ...minimalEnv(), MCPG_UPSTREAM_CREDENTIALS_KEY: `${key}, ${oldKey.toString('hex')}` }).upstreamCredentialsKey).toEqual([newKey, oldKey]);
  });

  function minimalEnv(): Record<string, string> {
    return { DATABASE_URL: cp.config.databaseUrl, MCPG_SNAPSHOT_SIGNING_KEY: cp.config.snapshotSigningKeyPem };
  }
});
