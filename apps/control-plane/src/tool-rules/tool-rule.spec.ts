import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneHarness } from '../testing/control-plane-harness.js';

const SET = 'mutation($input: SetToolRuleInput!) { setToolRule(input: $input) { id apiKeyId toolGlobs updatedAt } }';

describe('tool rules', () => {
  let cp: ControlPlaneHarness;
  let tenantId: string;
  let keyId: string;
  beforeAll(async () => {
    cp = await ControlPlaneHarness.start('cp_tool_rules');
    tenantId = (await cp.createTenant('acme')).id;
    keyId = (await cp.createApiKey(tenantId)).id;
  });
  afterAll(() => cp?.close());

  it('publishes a key\'s allowed globs in the next snapshot', async () => {
    const { setToolRule } = await cp.ok<{ setToolRule: { id: string; apiKeyId: string; toolGlobs: string[] } }>(SET, {
      input: { apiKeyId: keyId, toolGlobs: ['echo', 'get-*', 'echo'] },
    });
    expect(setToolRule).toMatchObject({ apiKeyId: keyId, toolGlobs: ['echo', 'get-*'] });
    const { snapshot } = await cp.snapshotInRedis(tenantId);
    expect(snapshot.version).toBe(3);
    expect(snapshot.rules).toEqual([{ id: setToolRule.id, apiKeyId: keyId, toolGlobs: ['echo', 'get-*'], resourceGlobs: [], promptGlobs: [] }]);
  });

  it('sets resource URI and prompt globs, keeps them when omitted, and rejects invalid ones', async () => {
    const full = 'mutation($input: SetToolRuleInput!) { setToolRule(input: $input) { toolGlobs resourceGlobs promptGlobs } }';
    const { setToolRule } = await cp.ok<{ setToolRule: unknown }>(full, {
      input: { apiKeyId: keyId, toolGlobs: ['echo'], resourceGlobs: ['demo://resource/static/*', 'file:///a%20b?x={y}'], promptGlobs: ['simple-*'] },
    });
    expect(setToolRule).toEqual({ toolGlobs: ['echo'], resourceGlobs: ['demo://resource/static/*', 'file:///a%20b?x={y}'], promptGlobs: ['simple-*'] });
    await cp.ok(SET, { input: { apiKeyId: keyId, toolGlobs: ['echo', 'get-*'] } });
    const rule = (await cp.snapshotInRedis(tenantId)).snapshot.rules[0];
    expect(rule).toMatchObject({ resourceGlobs: ['demo://resource/static/*', 'file:///a%20b?x={y}'], promptGlobs: ['simple-*'] });
    const bad = await cp.graphql(full, { input: { apiKeyId: keyId, toolGlobs: [], resourceGlobs: ['has space'] } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    await cp.ok(full, { input: { apiKeyId: keyId, toolGlobs: ['echo', 'get-*'], resourceGlobs: [], promptGlobs: [] } });
  });

  it('replaces the globs, and an empty list allows nothing', async () => {
    await cp.ok(SET, { input: { apiKeyId: keyId, toolGlobs: ['add'] } });
    expect((await cp.snapshotInRedis(tenantId)).snapshot.rules[0]?.toolGlobs).toEqual(['add']);

    await cp.ok(SET, { input: { apiKeyId: keyId, toolGlobs: [] } });
    const { snapshot } = await cp.snapshotInRedis(tenantId);
    expect(snapshot.version).toBe(8);
    expect(snapshot.rules[0]?.toolGlobs).toEqual([]);
    const { apiKeys } = await cp.ok<{ apiKeys: { nodes: Array<{ toolGlobs: string[] }> } }>('query($t: ID!) { apiKeys(tenantId: $t) { nodes { toolGlobs } } }', {
      t: tenantId,
    });
    expect(apiKeys.nodes).toEqual([{ toolGlobs: [] }]);
  });

  it.each([
    ['a glob with a space', ['echo', 'bad glob']],
    ['an empty glob', ['']],
    ['a glob of 201 characters', ['x'.repeat(201)]],
    ['101 globs', Array.from({ length: 101 }, (_, i) => `tool-${i}`)],
  ])('rejects %s with BAD_USER_INPUT naming toolGlobs', async (_what, toolGlobs) => {
    const result = await cp.graphql(SET, { input: { apiKeyId: keyId, toolGlobs } });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'toolGlobs' });
    expect(await cp.manifestVersion(tenantId)).toBe(8);
  });

  it('accepts exactly 100 globs', async () => {
    const toolGlobs = Array.from({ length: 100 }, (_, i) => `tool-${i}`);
    await cp.ok(SET, { input: { apiKeyId: keyId, toolGlobs } });
    expect((await cp.snapshotInRedis(tenantId)).snapshot.rules[0]?.toolGlobs).toHaveLength(100);
  });

  it('answers an unknown key with NOT_FOUND naming apiKeyId', async () => {
    const result = await cp.graphql(SET, { input: { apiKeyId: '00000000-0000-4000-8000-000000000000', toolGlobs: ['*'] } });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'apiKeyId' });
  });

  it('refuses a change based on a stale snapshot version with CONFLICT, and accepts the current one', async () => {
    const current = await cp.manifestVersion(tenantId);
    const stale = await cp.graphql(SET, { input: { apiKeyId: keyId, toolGlobs: ['stale'], expectedVersion: current - 1 } });
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'expectedVersion' });
    expect(await cp.manifestVersion(tenantId)).toBe(current);
    await cp.ok(SET, { input: { apiKeyId: keyId, toolGlobs: ['fresh'], expectedVersion: current } });
    expect((await cp.snapshotInRedis(tenantId)).snapshot.rules[0]?.toolGlobs).toEqual(['fresh']);
  });

  it('sets, keeps and clears a rule’s own rate limit', async () => {
    const RULE = 'mutation($input: SetToolRuleInput!) { setToolRule(input: $input) { rateLimitCapacity rateLimitRefillPerSecond } }';
    const set = await cp.ok<{ setToolRule: unknown }>(RULE, { input: { apiKeyId: keyId, toolGlobs: ['echo'], rateLimit: { capacity: 3, refillPerSecond: 0.5 } } });
    expect(set.setToolRule).toEqual({ rateLimitCapacity: 3, rateLimitRefillPerSecond: 0.5 });
    expect((await cp.snapshotInRedis(tenantId)).snapshot.rules[0]?.rateLimit).toEqual({ capacity: 3, refillPerSecond: 0.5 });
    await cp.ok(RULE, { input: { apiKeyId: keyId, toolGlobs: ['echo', 'add'] } });
    expect((await cp.snapshotInRedis(tenantId)).snapshot.rules[0]?.rateLimit).toEqual({ capacity: 3, refillPerSecond: 0.5 });
    await cp.ok(RULE, { input: { apiKeyId: keyId, toolGlobs: ['echo'], rateLimit: null } });
    expect((await cp.snapshotInRedis(tenantId)).snapshot.rules[0]).not.toHaveProperty('rateLimit');
    const bad = await cp.graphql(RULE, { input: { apiKeyId: keyId, toolGlobs: ['echo'], rateLimit: { capacity: 0, refillPerSecond: 1 } } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'rateLimit' });
  });
});

describe('subject tool rules', () => {
  const SET_SUBJECT = 'mutation($input: SetSubjectToolRuleInput!) { setSubjectToolRule(input: $input) { id subject scope apiKeyId toolGlobs promptGlobs } }';
  const ROLLBACK = 'mutation($i: RollbackTenantInput!) { rollbackTenant(input: $i) { version } }';
  let cp: ControlPlaneHarness;
  let tenantId: string;
  beforeAll(async () => {
    cp = await ControlPlaneHarness.start('cp_subject_rules');
    tenantId = (await cp.createTenant('subjects')).id;
  });
  afterAll(() => cp?.close());

  it('publishes a subject rule, replaces it in place, records the change and survives a rollback', async () => {
    const first = await cp.ok<{ setSubjectToolRule: { id: string } }>(SET_SUBJECT, { input: { tenantId, subject: 'alice@example.com', toolGlobs: ['echo'], promptGlobs: ['p-*'] } });
    expect(first.setSubjectToolRule).toMatchObject({ subject: 'alice@example.com', scope: null, apiKeyId: null, toolGlobs: ['echo'], promptGlobs: ['p-*'] });
    const ruleId = first.setSubjectToolRule.id;
    const withEcho = await cp.manifestVersion(tenantId);
    expect((await cp.snapshotInRedis(tenantId)).snapshot.rules).toEqual([{ id: ruleId, subject: 'alice@example.com', toolGlobs: ['echo'], resourceGlobs: [], promptGlobs: ['p-*'] }]);

    const second = await cp.ok<{ setSubjectToolRule: { id: string } }>(SET_SUBJECT, { input: { tenantId, subject: 'alice@example.com', toolGlobs: ['add'] } });
    expect(second.setSubjectToolRule).toMatchObject({ id: ruleId, toolGlobs: ['add'], promptGlobs: ['p-*'] });
    await expect
      .poll(async () => (await cp.auditEvents()).filter((e) => e.change?.action === 'setSubjectToolRule').map((e) => [e.change?.before?.toolGlobs ?? null, e.change?.after?.toolGlobs]))
      .toEqual([
        [null, ['echo']],
        [['echo'], ['add']],
      ]);

    await cp.ok(ROLLBACK, { i: { tenantId, toVersion: withEcho } });
    expect((await cp.snapshotInRedis(tenantId)).snapshot.rules).toEqual([{ id: ruleId, subject: 'alice@example.com', toolGlobs: ['echo'], resourceGlobs: [], promptGlobs: ['p-*'] }]);
    // The restored row is the one later changes update.
    await cp.ok(SET_SUBJECT, { input: { tenantId, subject: 'alice@example.com', toolGlobs: ['get-*'] } });
    expect((await cp.snapshotInRedis(tenantId)).snapshot.rules).toEqual([expect.objectContaining({ id: ruleId, toolGlobs: ['get-*'] })]);
  });

  it.each([
    ['an empty subject', ''],
    ['a control character', 'alice\n'],
    ['an API key subject', 'apikey:00000000-0000-4000-8000-000000000000'],
    ['501 characters', 'x'.repeat(501)],
  ])('rejects %s with BAD_USER_INPUT naming subject', async (_what, subject) => {
    const before = await cp.manifestVersion(tenantId);
    const result = await cp.graphql(SET_SUBJECT, { input: { tenantId, subject, toolGlobs: ['*'] } });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'subject' });
    expect(await cp.manifestVersion(tenantId)).toBe(before);
  });
});
