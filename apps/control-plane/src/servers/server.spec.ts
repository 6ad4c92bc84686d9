import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneHarness } from '../testing/control-plane-harness.js';

const ADD = 'mutation($input: AddUpstreamServerInput!) { addUpstreamServer(input: $input) { id tenantId name url createdAt } }';

describe('upstream servers', () => {
  let cp: ControlPlaneHarness;
  let tenantId: string;
  beforeAll(async () => {
    cp = await ControlPlaneHarness.start('cp_servers');
    tenantId = (await cp.createTenant('acme')).id;
  });
  afterAll(() => cp?.close());

  it('adds a server, lists it, and publishes it in the next snapshot', async () => {
    const { addUpstreamServer } = await cp.ok<{ addUpstreamServer: { id: string } }>(ADD, {
      input: { tenantId, name: 'everything', url: 'http://127.0.0.1:3001/mcp' },
    });
    const { snapshot } = await cp.snapshotInRedis(tenantId);
    expect(snapshot.version).toBe(2);
    expect(snapshot.servers).toEqual([{ id: addUpstreamServer.id, name: 'everything', url: 'http://127.0.0.1:3001/mcp', transport: 'streamable-http' }]);

    const { servers } = await cp.ok<{ servers: { nodes: unknown[] } }>('query($t: ID!) { servers(tenantId: $t) { nodes { id name url } } }', { t: tenantId });
    expect(servers.nodes).toEqual([{ id: addUpstreamServer.id, name: 'everything', url: 'http://127.0.0.1:3001/mcp' }]);
  });

  it('rejects a second server with the same name in the tenant with CONFLICT naming the name', async () => {
    const result = await cp.graphql(ADD, { input: { tenantId, name: 'everything', url: 'https://example.com/mcp' } });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'name' });
    expect(await cp.manifestVersion(tenantId)).toBe(2);
  });

  it('allows the same server name in another tenant', async () => {
    const other = await cp.createTenant('other');
    await cp.ok(ADD, { input: { tenantId: other.id, name: 'everything', url: 'https://example.com/mcp' } });
  });

  it.each([
    ['url', 'ftp://example.com/mcp'],
    ['url', 'not a url'],
    ['url', '/relative/mcp'],
    ['url', 'https://user:pass@example.com/mcp'],
  ])('rejects an invalid %s %j with BAD_USER_INPUT', async (field, url) => {
    const result = await cp.graphql(ADD, { input: { tenantId, name: 'valid-name', url } });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('rejects a name that cannot be a path segment with BAD_USER_INPUT naming it', async () => {
    const result = await cp.graphql(ADD, { input: { tenantId, name: 'Bad Name', url: 'https://example.com/mcp' } });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
  });

  it('answers an unknown tenant with NOT_FOUND naming tenantId', async () => {
    const unknownTenant = '00000000-0000-4000-8000-000000000000';
    const added = await cp.graphql(ADD, { input: { tenantId: unknownTenant, name: 'x1', url: 'https://example.com/mcp' } });
    expect(added.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'tenantId' });
    const listed = await cp.graphql('query($t: ID!) { servers(tenantId: $t) { nodes { id } } }', { t: unknownTenant });
    expect(listed.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'tenantId' });
  });

  it('adds a legacy SSE server and publishes its transport; refuses an unknown transport', async () => {
    const { addUpstreamServer } = await cp.ok<{ addUpstreamServer: { transport: string } }>(
      'mutation($input: AddUpstreamServerInput!) { addUpstreamServer(input: $input) { transport } }',
      { input: { tenantId, name: 'legacy', url: 'http://127.0.0.1:3002/sse', transport: 'sse' } },
    );
    expect(addUpstreamServer.transport).toBe('sse');
    const { snapshot } = await cp.snapshotInRedis(tenantId);
    expect(snapshot.servers.find((s) => s.name === 'legacy')?.transport).toBe('sse');
    const bad = await cp.graphql(ADD, { input: { tenantId, name: 'odd', url: 'http://127.0.0.1:3003/mcp', transport: 'websocket' } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'transport' });
  });

  it('refuses stdio servers unless MCPG_ALLOW_STDIO_UPSTREAMS is set', async () => {
    const result = await cp.graphql(ADD, { input: { tenantId, name: 'local', transport: 'stdio', stdio: { command: 'node' } } });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'transport' });
  });

  it('adds a stdio server where allowed, publishes the command, and never shows environment values', async () => {
    const trusted = await ControlPlaneHarness.start('cp_servers_stdio', { allowStdioUpstreams: true });
    try {
      const t = (await trusted.createTenant('local')).id;
      const { addUpstreamServer } = await trusted.ok<{ addUpstreamServer: unknown }>(
        'mutation($input: AddUpstreamServerInput!) { addUpstreamServer(input: $input) { url transport stdio { command args envNames cwd } } }',
        { input: { tenantId: t, name: 'files', transport: 'stdio', stdio: { command: '/usr/bin/node', args: ['server.js'], env: [{ name: 'ROOT', value: '/srv/x' }], cwd: '/srv' } } },
      );
      expect(addUpstreamServer).toEqual({ url: 'stdio:files', transport: 'stdio', stdio: { command: '/usr/bin/node', args: ['server.js'], envNames: ['ROOT'], cwd: '/srv' } });
      const { snapshot } = await trusted.snapshotInRedis(t);
      expect(snapshot.servers[0]).toMatchObject({ transport: 'stdio', stdio: { command: '/usr/bin/node', args: ['server.js'], env: { ROOT: '/srv/x' }, cwd: '/srv' } });
      const findChange = async () => (await trusted.auditEvents()).find((e) => e.kind === 'admin.change' && e.method === 'addUpstreamServer');
      await expect.poll(findChange).toBeDefined();
      const change = await findChange();
      expect(JSON.stringify(change)).toContain('ROOT');
      expect(JSON.stringify(change)).not.toContain('/srv/x');
      for (const input of [
        { tenantId: t, name: 'nocmd', transport: 'stdio' },
        { tenantId: t, name: 'badenv', transport: 'stdio', stdio: { command: 'x', env: [{ name: 'A=B', value: '' }] } },
        { tenantId: t, name: 'nourl' },
      ]) {
        const bad = await trusted.graphql(ADD, { input });
        expect(bad.errors?.[0]?.extensions, input.name).toMatchObject({ code: 'BAD_USER_INPUT' });
      }
    } finally {
      await trusted.close();
    }
  });
});
