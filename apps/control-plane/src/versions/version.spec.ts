import { hashApiKey } from '@mcpg/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneHarness } from '../testing/control-plane-harness.js';

const SET_RULE = 'mutation($i: SetToolRuleInput!) { setToolRule(input: $i) { id } }';
const ADD_SERVER = 'mutation($i: AddUpstreamServerInput!) { addUpstreamServer(input: $i) { id } }';
const DIFF = 'query($t: ID!, $f: Int!, $to: Int!) { snapshotDiff(tenantId: $t, fromVersion: $f, toVersion: $to) { fromVersion toVersion text changes { section id kind fields before after } } }';
const ROLLBACK = 'mutation($i: RollbackTenantInput!) { rollbackTenant(input: $i) { version } }';
const DRY_RUN = `query($i: SetToolRuleInput!) { dryRunToolRule(input: $i) {
  isValid errors { field message } wouldBeVersion compiled changes { section kind fields before after } } }`;

interface Diff {
  snapshotDiff: { text: string; changes: Array<{ section: string; id: string; kind: string; fields: string[]; before: string | null; after: string | null }> };
}

describe('snapshot versions: diff, rollback, dry run', () => {
  let cp: ControlPlaneHarness;
  let tenantId: string;
  let key: { id: string; secret: string };
  let serverId: string;
  beforeAll(async () => {
    cp = await ControlPlaneHarness.start('cp_versions');
    tenantId = (await cp.createTenant('versioned')).id; // v1
    key = await cp.createApiKey(tenantId, 'ci'); // v2
    serverId = (await cp.ok<{ addUpstreamServer: { id: string } }>(ADD_SERVER, { i: { tenantId, name: 'files', url: 'http://127.0.0.1:9/mcp' } })).addUpstreamServer.id; // v3
    await cp.ok(SET_RULE, { i: { apiKeyId: key.id, toolGlobs: ['echo'] } }); // v4
    await cp.ok(SET_RULE, { i: { apiKeyId: key.id, toolGlobs: ['echo', 'get-*'] } }); // v5
    await cp.ok('mutation($id: ID!) { removeUpstreamServer(id: $id) { id } }', { id: serverId }); // v6
    await cp.ok(ADD_SERVER, { i: { tenantId, name: 'search', url: 'http://127.0.0.1:9/search' } }); // v7
  });
  afterAll(() => cp?.close());

  it('shows a readable diff between any two versions, never a key hash', async () => {
    const { snapshotDiff } = await cp.ok<Diff>(DIFF, { t: tenantId, f: 4, to: 7 });
    const lines = snapshotDiff.text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^[-+] servers /);
    expect(snapshotDiff.text).toContain(`- servers ${serverId} {"id":"${serverId}","name":"files","url":"http://127.0.0.1:9/mcp","transport":"streamable-http"}`);
    expect(snapshotDiff.text).toContain('toolGlobs: ["echo"] → ["echo","get-*"]');
    expect(snapshotDiff.changes.find((c) => c.section === 'rules')).toMatchObject({ kind: 'changed', fields: ['toolGlobs'] });
    const withKey = await cp.ok<Diff>(DIFF, { t: tenantId, f: 1, to: 2 });
    expect(withKey.snapshotDiff.changes).toEqual([expect.objectContaining({ section: 'apiKeys', id: key.id, kind: 'added' })]);
    expect(JSON.stringify(withKey)).not.toContain(hashApiKey(key.secret));
    const none = await cp.ok<Diff>(DIFF, { t: tenantId, f: 7, to: 7 });
    expect(none.snapshotDiff).toMatchObject({ text: '', changes: [] });
  });

  it('answers an unknown version with NOT_FOUND naming it', async () => {
    const result = await cp.graphql(DIFF, { t: tenantId, f: 1, to: 99 });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'toVersion' });
  });

  it('validates and compiles a rule change without storing or publishing it', async () => {
    const before = { manifest: await cp.manifestVersion(tenantId), rows: await cp.prisma.snapshot.count({ where: { tenantId } }) };
    const result = await cp.ok<{ dryRunToolRule: { isValid: boolean; wouldBeVersion: number; compiled: string; changes: Array<{ section: string; after: string }> } }>(DRY_RUN, {
      i: { apiKeyId: key.id, toolGlobs: ['add'] },
    });
    expect(result.dryRunToolRule).toMatchObject({ isValid: true, wouldBeVersion: before.manifest + 1 });
    expect(JSON.parse(result.dryRunToolRule.compiled)).toMatchObject({ version: before.manifest + 1, rules: [{ apiKeyId: key.id, toolGlobs: ['add'] }] });
    expect(result.dryRunToolRule.compiled).not.toContain(hashApiKey(key.secret));
    expect(result.dryRunToolRule.changes).toEqual([expect.objectContaining({ section: 'rules', after: expect.stringContaining('"add"') })]);
    expect(await cp.manifestVersion(tenantId)).toBe(before.manifest);
    expect(await cp.prisma.snapshot.count({ where: { tenantId } })).toBe(before.rows);
    expect((await cp.prisma.toolRule.findUniqueOrThrow({ where: { apiKeyId: key.id } })).toolGlobs).toEqual(['echo', 'get-*']);

    const invalid = await cp.ok<{ dryRunToolRule: { isValid: boolean; errors: Array<{ field: string }>; compiled: string | null } }>(DRY_RUN, {
      i: { apiKeyId: key.id, toolGlobs: ['bad glob'] },
    });
    expect(invalid.dryRunToolRule).toMatchObject({ isValid: false, errors: [{ field: 'toolGlobs' }], compiled: null });
  });

  it('rolls back: publishes an old version’s servers and rules as a new version, keeping keys as they are', async () => {
    const later = await cp.createApiKey(tenantId, 'created after v4'); // v8
    await cp.ok(SET_RULE, { i: { apiKeyId: later.id, toolGlobs: ['*'] } }); // v9
    const stale = await cp.graphql(ROLLBACK, { i: { tenantId, toVersion: 4, expectedVersion: 8 } });
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'expectedVersion' });

    const { rollbackTenant } = await cp.ok<{ rollbackTenant: { version: number } }>(ROLLBACK, { i: { tenantId, toVersion: 4, expectedVersion: 9 } });
    expect(rollbackTenant.version).toBe(10);
    const { snapshot } = await cp.snapshotInRedis(tenantId);
    expect(snapshot.version).toBe(10);
    expect(snapshot.servers).toEqual([{ id: serverId, name: 'files', url: 'http://127.0.0.1:9/mcp', transport: 'streamable-http' }]);
    expect(snapshot.rules).toEqual([expect.objectContaining({ apiKeyId: key.id, toolGlobs: ['echo'] })]);
    expect(snapshot.apiKeys.map((k) => k.name).sort()).toEqual(['ci', 'created after v4']);

    // Content equal to v4 for servers and rules; the only difference is the key added since.
    const { snapshotDiff } = await cp.ok<Diff>(DIFF, { t: tenantId, f: 4, to: 10 });
    expect(snapshotDiff.changes.map((c) => [c.section, c.kind])).toEqual([['apiKeys', 'added']]);

    // Later changes build on the rollback.
    await cp.ok(SET_RULE, { i: { apiKeyId: key.id, toolGlobs: ['echo', 'add'] } });
    expect((await cp.snapshotInRedis(tenantId)).snapshot.servers.map((s) => s.name)).toEqual(['files']);
  });
});
