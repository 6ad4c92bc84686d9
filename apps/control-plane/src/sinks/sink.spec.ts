import { openSinkSecret, sinkSecretsKey } from '@mcpg/audit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneHarness } from '../testing/control-plane-harness.js';

const CREATE = 'mutation($i: CreateAuditSinkInput!) { createAuditSink(input: $i) { id name kind secretVersion } }';
const UPDATE = 'mutation($i: UpdateAuditSinkInput!) { updateAuditSink(input: $i) { id url secretVersion } }';
const DELETE = 'mutation($id: ID!) { deleteAuditSink(id: $id) { id } }';

describe('tenant audit sinks', () => {
  let cp: ControlPlaneHarness;
  let tenantId: string;
  beforeAll(async () => {
    cp = await ControlPlaneHarness.start('cp_sinks');
    tenantId = (await cp.createTenant('acme')).id;
  });
  afterAll(() => cp?.close());

  const sealedFor = async (id: string) => (await cp.redis.hget(sinkSecretsKey(cp.names), id)) ?? '';

  it('rotates credentials (new secretVersion, resealed) and deletes a sink from the snapshot and from redis', async () => {
    const { createAuditSink: sink } = await cp.ok<{ createAuditSink: { id: string } }>(CREATE, {
      i: { tenantId, name: 'splunk', kind: 'splunk_hec', url: 'https://splunk.example.com:8088', index: 'mcpg', ack: true, secret: 'hec-token-one' },
    });
    expect(openSinkSecret(cp.config.sinkSecretKey!, sink.id, await sealedFor(sink.id))).toEqual({ token: 'hec-token-one' });
    expect((await cp.snapshotInRedis(tenantId)).snapshot.sinks).toEqual([
      { id: sink.id, name: 'splunk', kind: 'splunk_hec', url: 'https://splunk.example.com:8088', index: 'mcpg', sourcetype: null, source: null, ack: true, secretVersion: 1 },
    ]);

    const { updateAuditSink } = await cp.ok<{ updateAuditSink: { url: string; secretVersion: number } }>(UPDATE, {
      i: { id: sink.id, url: 'https://splunk2.example.com:8088', secret: 'hec-token-two' },
    });
    expect(updateAuditSink).toMatchObject({ url: 'https://splunk2.example.com:8088', secretVersion: 2 });
    expect(openSinkSecret(cp.config.sinkSecretKey!, sink.id, await sealedFor(sink.id))).toEqual({ token: 'hec-token-two' });
    expect((await cp.snapshotInRedis(tenantId)).snapshot.sinks?.[0]).toMatchObject({ url: 'https://splunk2.example.com:8088', secretVersion: 2 });

    await cp.ok(DELETE, { id: sink.id });
    expect((await cp.snapshotInRedis(tenantId)).snapshot.sinks).toBeUndefined();
    expect(await sealedFor(sink.id)).toBe('');
  });

  it.each([
    ['an elastic sink without index', { kind: 'elastic', url: 'https://es:9200', secret: 'api-key-value' }, 'index'],
    ['an unknown kind', { kind: 'kafka', url: 'https://k:9092', secret: 'secret-value' }, 'kind'],
    ['a non-http URL', { kind: 'webhook', url: 'ftp://x/y', secret: 'a-webhook-secret-16+' }, 'url'],
    ['a short webhook secret', { kind: 'webhook', url: 'https://x/y', secret: 'short-secret' }, 'secret'],
  ])('refuses %s with BAD_USER_INPUT', async (_what, fields, field) => {
    const result = await cp.graphql(CREATE, { i: { tenantId, name: 'bad', ...fields } });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('refuses a duplicate name with CONFLICT and unknown ids with NOT_FOUND', async () => {
    const input = { tenantId, name: 'hook', kind: 'webhook', url: 'https://x/y', secret: 'a-webhook-secret-16+' };
    await cp.ok(CREATE, { i: input });
    const duplicate = await cp.graphql(CREATE, { i: input });
    expect(duplicate.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const unknown = await cp.graphql(DELETE, { id: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
  });

  it('lists a tenant\'s sinks by name, a page at a time', async () => {
    const listing = await cp.createTenant('paged-sinks');
    for (const name of ['c-hook', 'a-hook', 'b-hook']) {
      await cp.ok(CREATE, { i: { tenantId: listing.id, name, kind: 'webhook', url: 'https://x/y', secret: 'a-webhook-secret-16+' } });
    }
    const LIST = 'query($t: ID!, $after: String) { auditSinks(tenantId: $t, first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { name } } }';
    type Page = { auditSinks: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: Array<{ name: string }> } };
    const first = await cp.ok<Page>(LIST, { t: listing.id });
    expect(first.auditSinks).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true }, nodes: [{ name: 'a-hook' }, { name: 'b-hook' }] });
    const second = await cp.ok<Page>(LIST, { t: listing.id, after: first.auditSinks.pageInfo.endCursor });
    expect(second.auditSinks).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: false }, nodes: [{ name: 'c-hook' }] });
    const unknown = await cp.graphql(LIST, { t: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'tenantId' });
  });

  it('refuses to store credentials when no sealing key is configured', async () => {
    await cp.startApp({ sinkSecretKey: null });
    const result = await cp.graphql(CREATE, { i: { tenantId, name: 'nokey', kind: 'splunk_hec', url: 'https://s:8088', secret: 'hec-token-x' } });
    expect(result.errors?.[0]?.message).toContain('MCPG_SINK_SECRET_KEY');
  });
});
