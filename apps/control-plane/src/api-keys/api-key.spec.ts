import { hashApiKey, parseApiKey } from '@mcpg/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneHarness } from '../testing/control-plane-harness.js';

const CREATE = `mutation($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { secret apiKey { id tenantId name prefix createdAt revokedAt toolGlobs } }
}`;
const REVOKE = 'mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }';

interface CreatedKey {
  createApiKey: { secret: string; apiKey: { id: string; tenantId: string; name: string; prefix: string; revokedAt: string | null; toolGlobs: string[] } };
}

describe('API keys', () => {
  let cp: ControlPlaneHarness;
  let tenantId: string;
  beforeAll(async () => {
    cp = await ControlPlaneHarness.start('cp_api_keys');
    tenantId = (await cp.createTenant('acme')).id;
  });
  afterAll(() => cp?.close());

  it('returns the secret once, in mcpg_ format, and stores only its hash', async () => {
    const { createApiKey } = await cp.ok<CreatedKey>(CREATE, { input: { tenantId, name: 'ci' } });
    const { secret, apiKey } = createApiKey;
    expect(secret).toMatch(/^mcpg_[0-9A-Za-z]{49}$/);
    expect(parseApiKey(secret)).toEqual({ ok: true, hash: hashApiKey(secret) });
    expect(apiKey).toMatchObject({ tenantId, name: 'ci', revokedAt: null, toolGlobs: [] });
    expect(secret.startsWith(apiKey.prefix)).toBe(true);
    expect(apiKey.prefix.length).toBeLessThan(16);

    const [row] = await cp.prisma.$queryRaw<Array<Record<string, unknown>>>`SELECT * FROM "ApiKey" WHERE id = ${apiKey.id}::uuid`;
    expect(row?.hash).toBe(hashApiKey(secret));
    const body = secret.slice('mcpg_'.length);
    for (const value of Object.values(row ?? {})) {
      expect(String(value)).not.toContain(body);
    }

    // Nowhere else either: not in the stored or published snapshot, not in a listing, not in the log.
    const { jws, snapshot } = await cp.snapshotInRedis(tenantId);
    expect(snapshot.apiKeys).toEqual([{ id: apiKey.id, name: 'ci', prefix: apiKey.prefix, hash: hashApiKey(secret), revokedAt: null, expiresAt: null }]);
    const stored = await cp.prisma.snapshot.findMany({ where: { tenantId } });
    for (const text of [jws, ...stored.map((s) => s.jws), Buffer.from(jws.split('.')[1]!, 'base64url').toString()]) {
      expect(text).not.toContain(body);
    }
    const listing = await cp.graphql('query($t: ID!) { apiKeys(tenantId: $t) { nodes { id name prefix createdAt revokedAt toolGlobs } } }', { t: tenantId });
    expect(JSON.stringify(listing)).not.toContain(body);
    expect(cp.logLines.join('\n')).not.toContain(body);
  });

  it('offers no way to read a key hash or secret through the schema', async () => {
    const hash = await cp.graphql('query($t: ID!) { apiKeys(tenantId: $t) { nodes { hash } } }', { t: tenantId });
    expect(hash.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const secret = await cp.graphql('query($t: ID!) { apiKeys(tenantId: $t) { nodes { secret } } }', { t: tenantId });
    expect(secret.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('revokes a key: revokedAt is set in the API and in the next snapshot, and repeating it changes nothing', async () => {
    const key = await cp.createApiKey(tenantId, 'to revoke');
    const versionBefore = await cp.manifestVersion(tenantId);

    const { revokeApiKey } = await cp.ok<{ revokeApiKey: { id: string; revokedAt: string } }>(REVOKE, { id: key.id });
    expect(Date.parse(revokeApiKey.revokedAt)).not.toBeNaN();

    const { snapshot } = await cp.snapshotInRedis(tenantId);
    expect(snapshot.version).toBe(versionBefore + 1);
    expect(snapshot.apiKeys.find((k) => k.id === key.id)?.revokedAt).toBe(revokeApiKey.revokedAt);

    const again = await cp.ok<{ revokeApiKey: { revokedAt: string } }>(REVOKE, { id: key.id });
    expect(again.revokeApiKey.revokedAt).toBe(revokeApiKey.revokedAt);
    expect(await cp.manifestVersion(tenantId)).toBe(versionBefore + 1);
  });

  it('lists a tenant\'s keys, revoked ones included', async () => {
    const { apiKeys } = await cp.ok<{ apiKeys: { nodes: Array<{ name: string; revokedAt: string | null }> } }>(
      'query($t: ID!) { apiKeys(tenantId: $t) { nodes { name revokedAt } } }',
      { t: tenantId },
    );
    expect(apiKeys.nodes.map((k) => [k.name, k.revokedAt !== null])).toEqual([
      ['ci', false],
      ['to revoke', true],
    ]);
  });

  it('answers unknown ids with NOT_FOUND and invalid input with BAD_USER_INPUT', async () => {
    const nobody = '00000000-0000-4000-8000-000000000000';
    const revoke = await cp.graphql(REVOKE, { id: nobody });
    expect(revoke.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
    const create = await cp.graphql(CREATE, { input: { tenantId: nobody, name: 'x' } });
    expect(create.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'tenantId' });
    const emptyName = await cp.graphql(CREATE, { input: { tenantId, name: '' } });
    expect(emptyName.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    const badId = await cp.graphql(CREATE, { input: { tenantId: 'acme', name: 'x' } });
    expect(badId.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tenantId' });
  });

  it('creates a key with an expiry, published in the snapshot, and refuses an expiry in the past', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const { createApiKey } = await cp.ok<{ createApiKey: { apiKey: { id: string; expiresAt: string } } }>(
      'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id expiresAt } } }',
      { input: { tenantId, name: 'expiring', expiresAt } },
    );
    expect(createApiKey.apiKey.expiresAt).toBe(expiresAt);
    const { snapshot } = await cp.snapshotInRedis(tenantId);
    expect(snapshot.apiKeys.find((k) => k.id === createApiKey.apiKey.id)?.expiresAt).toBe(expiresAt);
    const past = await cp.graphql(CREATE, { input: { tenantId, name: 'x', expiresAt: '2020-01-01T00:00:00Z' } });
    expect(past.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'expiresAt' });
  });

  it('rotates a key: a new key with the same globs, the old one expiring at the end of the overlap, once', async () => {
    const old = await cp.createApiKey(tenantId, 'rotating');
    await cp.ok('mutation($input: SetToolRuleInput!) { setToolRule(input: $input) { id } }', { input: { apiKeyId: old.id, toolGlobs: ['echo'] } });
    const overlapEnd = new Date(Date.now() + 3_600_000).toISOString();
    const ROTATE = `mutation($input: RotateApiKeyInput!) {
      rotateApiKey(input: $input) { oldKey { id expiresAt replacedById } newKey { secret apiKey { id name expiresAt toolGlobs } } }
    }`;
    const { rotateApiKey } = await cp.ok<{
      rotateApiKey: { oldKey: { id: string; expiresAt: string; replacedById: string }; newKey: { secret: string; apiKey: { id: string; name: string; expiresAt: string | null; toolGlobs: string[] } } };
    }>(ROTATE, { input: { id: old.id, oldKeyExpiresAt: overlapEnd } });
    expect(rotateApiKey.oldKey).toEqual({ id: old.id, expiresAt: overlapEnd, replacedById: rotateApiKey.newKey.apiKey.id });
    expect(rotateApiKey.newKey.apiKey).toMatchObject({ name: 'rotating', expiresAt: null, toolGlobs: ['echo'] });
    expect(parseApiKey(rotateApiKey.newKey.secret).ok).toBe(true);

    const { snapshot } = await cp.snapshotInRedis(tenantId);
    expect(snapshot.apiKeys.find((k) => k.id === old.id)).toMatchObject({ expiresAt: overlapEnd, revokedAt: null });
    expect(snapshot.apiKeys.find((k) => k.id === rotateApiKey.newKey.apiKey.id)).toMatchObject({ hash: hashApiKey(rotateApiKey.newKey.secret), expiresAt: null });
    expect(snapshot.rules.find((r) => r.apiKeyId === rotateApiKey.newKey.apiKey.id)?.toolGlobs).toEqual(['echo']);

    const twice = await cp.graphql(ROTATE, { input: { id: old.id, oldKeyExpiresAt: overlapEnd } });
    expect(twice.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    const tooLong = await cp.graphql(ROTATE, { input: { id: rotateApiKey.newKey.apiKey.id, oldKeyExpiresAt: '2099-01-01T00:00:00Z' } });
    expect(tooLong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'oldKeyExpiresAt' });
  });
});
