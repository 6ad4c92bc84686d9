import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneHarness } from '../testing/control-plane-harness.js';

const ADD = 'mutation($i: AddDenyRuleInput!) { addDenyRule(input: $i) { id name apiKeyId scope subject toolGlobs resourceGlobs promptGlobs } }';

describe('deny rules', () => {
  let cp: ControlPlaneHarness;
  let tenantId: string;
  let keyId: string;
  beforeAll(async () => {
    cp = await ControlPlaneHarness.start('cp_deny_rules');
    tenantId = (await cp.createTenant('acme')).id;
    keyId = (await cp.createApiKey(tenantId)).id;
  });
  afterAll(() => cp?.close());

  it('publishes a deny rule with its selectors in the next snapshot, and removes it', async () => {
    const { addDenyRule } = await cp.ok<{ addDenyRule: { id: string } }>(ADD, {
      i: { tenantId, name: 'no prod writes', apiKeyId: keyId, scope: 'tools:write', subject: 'alice', toolGlobs: ['write_*', 'write_*'], resourceGlobs: ['db://prod/*'] },
    });
    const { snapshot } = await cp.snapshotInRedis(tenantId);
    expect(snapshot.denyRules).toEqual([
      { id: addDenyRule.id, name: 'no prod writes', apiKeyId: keyId, scope: 'tools:write', subject: 'alice', toolGlobs: ['write_*'], resourceGlobs: ['db://prod/*'], promptGlobs: [] },
    ]);
    const { denyRules } = await cp.ok<{ denyRules: { nodes: Array<{ id: string }> } }>('query($t: ID!) { denyRules(tenantId: $t) { nodes { id } } }', { t: tenantId });
    expect(denyRules.nodes.map((r) => r.id)).toEqual([addDenyRule.id]);
    await cp.ok('mutation($id: ID!) { removeDenyRule(id: $id) { id } }', { id: addDenyRule.id });
    expect((await cp.snapshotInRedis(tenantId)).snapshot.denyRules).toEqual([]);
  });

  it('refuses a rule without globs, bad globs, and another tenant\'s key (NOT_FOUND, as for no key)', async () => {
    const empty = await cp.graphql(ADD, { i: { tenantId, name: 'nothing' } });
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'toolGlobs' });
    const bad = await cp.graphql(ADD, { i: { tenantId, name: 'bad', toolGlobs: ['has space'] } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'toolGlobs' });
    const other = await cp.createTenant('other');
    const otherKey = await cp.createApiKey(other.id);
    const foreign = await cp.graphql(ADD, { i: { tenantId, name: 'foreign', apiKeyId: otherKey.id, toolGlobs: ['*'] } });
    expect(foreign.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'apiKeyId' });
    expect(await cp.prisma.denyRule.count({ where: { tenantId } })).toBe(0);
  });

  it('is restored by a rollback to a version that had it', async () => {
    const { addDenyRule } = await cp.ok<{ addDenyRule: { id: string } }>(ADD, { i: { tenantId, name: 'no deletes', toolGlobs: ['delete_*'] } });
    const withRule = await cp.manifestVersion(tenantId);
    await cp.ok('mutation($id: ID!) { removeDenyRule(id: $id) { id } }', { id: addDenyRule.id });
    await cp.ok('mutation($i: RollbackTenantInput!) { rollbackTenant(input: $i) { version } }', { i: { tenantId, toVersion: withRule } });
    expect((await cp.snapshotInRedis(tenantId)).snapshot.denyRules.map((r) => [r.id, r.name])).toEqual([[addDenyRule.id, 'no deletes']]);
  });
});
