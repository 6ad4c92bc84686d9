import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneHarness } from '../testing/control-plane-harness.js';

const ADD_SERVER = 'mutation($input: AddUpstreamServerInput!) { addUpstreamServer(input: $input) { id } }';
const SET_RULE = 'mutation($input: SetToolRuleInput!) { setToolRule(input: $input) { apiKeyId } }';
const SNAPSHOTS = 'query($t: ID!) { snapshots(tenantId: $t) { nodes { version createdAt } } }';

describe('snapshot publishing', () => {
  let cp: ControlPlaneHarness;
  beforeAll(async () => {
    cp = await ControlPlaneHarness.start('cp_snapshots');
  });
  afterAll(() => cp?.close());

  it('publishes every change as the next version, announced on the channel and verifiable in Redis', async () => {
    const subscription = await cp.subscribe();
    try {
      const tenant = await cp.createTenant('flow');
      const key = await cp.createApiKey(tenant.id);
      await cp.ok(ADD_SERVER, { input: { tenantId: tenant.id, name: 'everything', url: 'http://127.0.0.1:3001/mcp' } });
      await cp.ok(SET_RULE, { input: { apiKeyId: key.id, toolGlobs: ['echo'] } });
      await cp.ok('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: key.id });

      await expect.poll(() => subscription.messages.length).toBe(5);
      expect(subscription.messages).toEqual([1, 2, 3, 4, 5].map((version) => ({ tenantId: tenant.id, version })));

      const { jws, snapshot } = await cp.snapshotInRedis(tenant.id);
      expect(decodeProtectedHeader(jws)).toMatchObject({ alg: 'EdDSA', kid: 'test-key' });
      expect(snapshot.version).toBe(5);
      expect(snapshot.rules).toEqual([expect.objectContaining({ apiKeyId: key.id, toolGlobs: ['echo'] })]);
      expect(snapshot.apiKeys[0]?.revokedAt).not.toBeNull();
      expect(snapshot.servers.map((s) => s.name)).toEqual(['everything']);

      // What Redis holds is exactly the newest stored row.
      const stored = await cp.prisma.snapshot.findUniqueOrThrow({ where: { tenantId_version: { tenantId: tenant.id, version: 5 } } });
      expect(stored.jws).toBe(jws);

      const { snapshots } = await cp.ok<{ snapshots: { nodes: Array<{ version: number; createdAt: string }> } }>(SNAPSHOTS, { t: tenant.id });
      expect(snapshots.nodes.map((s) => s.version)).toEqual([5, 4, 3, 2, 1]);
      expect(new Date(snapshots.nodes[0]!.createdAt).toISOString()).toBe(snapshot.createdAt);
    } finally {
      subscription.close();
    }
  });

  it('gives concurrent changes to one tenant strictly increasing versions, the last containing all of them', async () => {
    const tenant = await cp.createTenant('busy');
    const names = Array.from({ length: 8 }, (_, i) => `server-${i}`);
    await Promise.all(
      names.map((name) => cp.ok(ADD_SERVER, { input: { tenantId: tenant.id, name, url: `http://127.0.0.1:9/${name}` } })),
    );
    const versions = (await cp.prisma.snapshot.findMany({ where: { tenantId: tenant.id }, orderBy: { version: 'asc' } })).map((s) => s.version);
    expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const { snapshot } = await cp.snapshotInRedis(tenant.id);
    expect(snapshot.version).toBe(9);
    expect(snapshot.servers.map((s) => s.name).sort()).toEqual(names);
  });

  it('lists snapshots only for a known tenant', async () => {
    const result = await cp.graphql(SNAPSHOTS, { t: '00000000-0000-4000-8000-000000000000' });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'tenantId' });
  });

  it('keeps a change whose Redis publish failed, and re-publishes it when a control plane starts', async () => {
    const tenant = await cp.createTenant('offline');

    // A control plane cut off from Redis: nothing listens on port 1.
    const cutOff = await cp.startApp({ redisUrl: 'redis://127.0.0.1:1' });
    const logStart = cp.logLines.length;
    await cp.ok(ADD_SERVER, { input: { tenantId: tenant.id, name: 'late', url: 'https://example.com/mcp' } });
    const errors = cp.logLines.slice(logStart).map((line) => JSON.parse(line) as { level: string; msg: string; version?: number });
    expect(errors).toContainEqual(expect.objectContaining({ level: 'error', msg: expect.stringContaining('publish to redis failed'), version: 2 }));
    expect(await cp.manifestVersion(tenant.id)).toBe(1);
    await cp.stopApp(cutOff);

    await cp.startApp();
    expect(await cp.manifestVersion(tenant.id)).toBe(2);
    const { snapshot } = await cp.snapshotInRedis(tenant.id);
    expect(snapshot.servers.map((s) => s.name)).toEqual(['late']);
  });
});
