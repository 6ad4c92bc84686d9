import { openUpstreamCredential } from '@mcpg/policy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneHarness } from '../testing/control-plane-harness.js';

const SERVER_FIELDS = 'id name hasCredential credentialKind credentialHeaderName';
const ADD = `mutation($input: AddUpstreamServerInput!) { addUpstreamServer(input: $input) { ${SERVER_FIELDS} } }`;
const SET = `mutation($input: SetUpstreamServerCredentialInput!) { setUpstreamServerCredential(input: $input) { ${SERVER_FIELDS} } }`;

interface ServerView {
  id: string;
  hasCredential: boolean;
  credentialKind: string | null;
  credentialHeaderName: string | null;
}

describe('upstream server credentials', () => {
  let cp: ControlPlaneHarness;
  let tenantId: string;
  beforeAll(async () => {
    cp = await ControlPlaneHarness.start('cp_upstream_credentials');
    tenantId = (await cp.createTenant('creds')).id;
  });
  afterAll(() => cp?.close());

  /** Everything an admin, a log reader, a SIEM or Redis could see. */
  async function everythingVisible(): Promise<string> {
    const listing = await cp.ok('query($t: ID!) { servers(tenantId: $t) { nodes { id hasCredential credentialKind credentialHeaderName } } }', { t: tenantId });
    const { jws } = await cp.snapshotInRedis(tenantId);
    const payload = Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8');
    return [JSON.stringify(listing), jws, payload, JSON.stringify(await cp.auditEvents()), cp.logLines.join('\n')].join('\n');
  }

  it('adds a server with a bearer credential that proxies can open and nobody else can read', async () => {
    const secret = 'bearer-secret-4f1c9a77d2';
    const { addUpstreamServer } = await cp.ok<{ addUpstreamServer: ServerView }>(ADD, {
      input: { tenantId, name: 'bearer', url: 'https://upstream.example/mcp', credential: { kind: 'BEARER', value: secret } },
    });
    expect(addUpstreamServer).toMatchObject({ hasCredential: true, credentialKind: 'BEARER', credentialHeaderName: null });

    const row = await cp.prisma.upstreamServer.findUniqueOrThrow({ where: { id: addUpstreamServer.id } });
    expect(row.credentialSealed).toMatch(/^sb1\./);
    expect(JSON.stringify(row)).not.toContain(secret);

    const { snapshot } = await cp.snapshotInRedis(tenantId);
    const published = snapshot.servers.find((s) => s.id === addUpstreamServer.id)!;
    expect(published.credential).toMatchObject({ kind: 'bearer', sealedValue: expect.stringMatching(/^sb1\./) });
    expect(openUpstreamCredential(cp.config.upstreamCredentialsKey!, published.credential!, tenantId, published.id)).toEqual({ name: 'authorization', value: `Bearer ${secret}` });
    // Sealed for this tenant's server only: moved to another server it opens to nothing.
    expect(openUpstreamCredential(cp.config.upstreamCredentialsKey!, published.credential!, tenantId, '00000000-0000-4000-8000-000000000000')).toBeNull();

    await expect.poll(async () => (await cp.auditEvents()).some((e) => e.change?.action === 'addUpstreamServer' && e.change.targetId === addUpstreamServer.id)).toBe(true);
    const change = (await cp.auditEvents()).find((e) => e.change?.targetId === addUpstreamServer.id)!;
    expect(change.change?.after).toMatchObject({ hasCredential: true, credentialKind: 'bearer' });
    expect(JSON.stringify(change)).not.toContain(row.credentialSealed!);
    expect(await everythingVisible()).not.toContain(secret);
  });

  it('sets, replaces and clears a header credential, recording each change without the value', async () => {
    const { addUpstreamServer } = await cp.ok<{ addUpstreamServer: ServerView }>(ADD, { input: { tenantId, name: 'keyed', url: 'https://keyed.example/mcp' } });
    expect(addUpstreamServer.hasCredential).toBe(false);

    const first = 'x-api-key-first-91b2';
    const set = await cp.ok<{ setUpstreamServerCredential: ServerView }>(SET, {
      input: { serverId: addUpstreamServer.id, credential: { kind: 'HEADER', headerName: 'X-API-Key', value: first } },
    });
    expect(set.setUpstreamServerCredential).toMatchObject({ hasCredential: true, credentialKind: 'HEADER', credentialHeaderName: 'x-api-key' });
    let published = (await cp.snapshotInRedis(tenantId)).snapshot.servers.find((s) => s.id === addUpstreamServer.id)!;
    expect(openUpstreamCredential(cp.config.upstreamCredentialsKey!, published.credential!, tenantId, published.id)).toEqual({ name: 'x-api-key', value: first });

    const second = 'bearer-second-77ce';
    await cp.ok(SET, { input: { serverId: addUpstreamServer.id, credential: { kind: 'BEARER', value: second } } });
    published = (await cp.snapshotInRedis(tenantId)).snapshot.servers.find((s) => s.id === addUpstreamServer.id)!;
    expect(openUpstreamCredential(cp.config.upstreamCredentialsKey!, published.credential!, tenantId, published.id)).toEqual({ name: 'authorization', value: `Bearer ${second}` });

    const cleared = await cp.ok<{ setUpstreamServerCredential: ServerView }>(SET, { input: { serverId: addUpstreamServer.id, credential: null } });
    expect(cleared.setUpstreamServerCredential).toMatchObject({ hasCredential: false, credentialKind: null, credentialHeaderName: null });
    published = (await cp.snapshotInRedis(tenantId)).snapshot.servers.find((s) => s.id === addUpstreamServer.id)!;
    expect(published.credential).toBeUndefined();

    await expect.poll(async () => (await cp.auditEvents()).filter((e) => e.change?.action === 'setUpstreamServerCredential' && e.change.targetId === addUpstreamServer.id).length).toBe(3);
    const changes = (await cp.auditEvents()).filter((e) => e.change?.action === 'setUpstreamServerCredential' && e.change.targetId === addUpstreamServer.id);
    expect(changes.map((e) => [e.change?.before, e.change?.after].map((s) => (s as { hasCredential: boolean }).hasCredential))).toEqual([
      [false, true],
      [true, true],
      [true, false],
    ]);
    const visible = await everythingVisible();
    expect(visible).not.toContain(first);
    expect(visible).not.toContain(second);
  });

  it('shows a credential change in snapshot diffs by kind only, never its sealed value', async () => {
    const { addUpstreamServer } = await cp.ok<{ addUpstreamServer: ServerView }>(ADD, { input: { tenantId, name: 'diffed', url: 'https://d.example/mcp' } });
    const from = await cp.manifestVersion(tenantId);
    await cp.ok(SET, { input: { serverId: addUpstreamServer.id, credential: { kind: 'HEADER', headerName: 'X-Token', value: 'diff-secret-5e1' } } });
    const { snapshotDiff } = await cp.ok<{ snapshotDiff: { changes: Array<{ id: string; fields: string[]; before: string; after: string }>; text: string } }>(
      'query($t: ID!, $f: Int!, $to: Int!) { snapshotDiff(tenantId: $t, fromVersion: $f, toVersion: $to) { changes { id fields before after } text } }',
      { t: tenantId, f: from, to: from + 1 },
    );
    const change = snapshotDiff.changes.find((c) => c.id === addUpstreamServer.id)!;
    expect(change.fields).toEqual(['credential']);
    expect(JSON.parse(change.after).credential).toEqual({ kind: 'header', headerName: 'x-token' });
    expect(JSON.stringify(snapshotDiff)).not.toMatch(/sealedValue|sb1\.|diff-secret/);
  });

  it('does not bring a cleared credential back with a rollback', async () => {
    const { addUpstreamServer } = await cp.ok<{ addUpstreamServer: ServerView }>(ADD, {
      input: { tenantId, name: 'rolled', url: 'https://r.example/mcp', credential: { kind: 'BEARER', value: 'leaked-token' } },
    });
    const withCredential = await cp.manifestVersion(tenantId);
    await cp.ok(SET, { input: { serverId: addUpstreamServer.id, credential: null } });
    await cp.ok('mutation($i: RollbackTenantInput!) { rollbackTenant(input: $i) { version } }', { i: { tenantId, toVersion: withCredential } });
    const { servers } = await cp.ok<{ servers: { nodes: ServerView[] } }>('query($t: ID!) { servers(tenantId: $t) { nodes { id hasCredential } } }', { t: tenantId });
    expect(servers.nodes.find((s) => s.id === addUpstreamServer.id)?.hasCredential).toBe(false);
    expect((await cp.snapshotInRedis(tenantId)).snapshot.servers.find((s) => s.id === addUpstreamServer.id)?.credential).toBeUndefined();
  });

  it.each([
    ['a reserved header', { kind: 'HEADER', headerName: 'Host', value: 'v' }],
    ['a framing header', { kind: 'HEADER', headerName: 'Content-Length', value: 'v' }],
    ['the session header', { kind: 'HEADER', headerName: 'Mcp-Session-Id', value: 'v' }],
    ['a hop-by-hop header', { kind: 'HEADER', headerName: 'Connection', value: 'v' }],
    ['a header name that is not a token', { kind: 'HEADER', headerName: 'X API Key', value: 'v' }],
    ['HEADER without a name', { kind: 'HEADER', value: 'v' }],
    ['BEARER with a header name', { kind: 'BEARER', headerName: 'X-API-Key', value: 'v' }],
    ['a value with CR LF (header injection)', { kind: 'BEARER', value: 'abc\r\nX-Admin: 1' }],
    ['an empty value', { kind: 'BEARER', value: '' }],
  ])('refuses %s with BAD_USER_INPUT naming credential, publishing nothing', async (_case, credential) => {
    const { addUpstreamServer } = await cp.ok<{ addUpstreamServer: ServerView }>(ADD, { input: { tenantId, name: `bad-${Math.random().toString(36).slice(2, 8)}`, url: 'https://x.example/mcp' } });
    const version = await cp.manifestVersion(tenantId);
    const set = await cp.graphql(SET, { input: { serverId: addUpstreamServer.id, credential } });
    expect(set.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'credential' });
    const added = await cp.graphql(ADD, { input: { tenantId, name: 'never-added', url: 'https://x.example/mcp', credential } });
    expect(added.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'credential' });
    expect(await cp.manifestVersion(tenantId)).toBe(version);
  });

  it('answers an unknown server with NOT_FOUND naming serverId', async () => {
    const result = await cp.graphql(SET, { input: { serverId: '00000000-0000-4000-8000-000000000000', credential: { kind: 'BEARER', value: 'v' } } });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'serverId' });
  });

  it('refuses a credential when the control plane has no MCPG_UPSTREAM_CREDENTIALS_KEY', async () => {
    const app = await cp.startApp({ upstreamCredentialsKey: null });
    try {
      const result = await cp.graphql(ADD, { input: { tenantId, name: 'no-key', url: 'https://x.example/mcp', credential: { kind: 'BEARER', value: 'v' } } });
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'credential' });
      expect(result.errors?.[0]?.message).toContain('MCPG_UPSTREAM_CREDENTIALS_KEY');
    } finally {
      await cp.stopApp(app);
    }
  });
});
