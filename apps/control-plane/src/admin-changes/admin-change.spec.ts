import { auditEventSchema, type AuditEvent } from '@mcpg/audit';
import { hashApiKey } from '@mcpg/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneHarness } from '../testing/control-plane-harness.js';
import { maskUrlPassword, withoutSecrets } from './without-secrets.js';

describe('admin.change audit events', () => {
  let cp: ControlPlaneHarness;
  beforeAll(async () => {
    cp = await ControlPlaneHarness.start('cp_admin_change');
  });
  afterAll(() => cp?.close());

  async function eventsFor(action: string): Promise<AuditEvent[]> {
    let events: AuditEvent[] = [];
    await expect.poll(async () => (events = (await cp.auditEvents()).filter((e) => e.change?.action === action)).length).toBeGreaterThan(0);
    return events;
  }

  it('records who changed what, before and after, on the audit-export queue, without secrets', async () => {
    const tenant = await cp.createTenant('audited');
    const admin = await cp.createAdminToken('TENANT_ADMIN', tenant.id);
    const created = await cp.ok<{ createApiKey: { secret: string; apiKey: { id: string } } }>(
      'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret apiKey { id } } }',
      { i: { tenantId: tenant.id, name: 'ci' } },
      admin.secret,
    );
    await cp.ok('mutation($i: SetToolRuleInput!) { setToolRule(input: $i) { id } }', { i: { apiKeyId: created.createApiKey.apiKey.id, toolGlobs: ['echo'] } }, admin.secret);
    await cp.ok('mutation($i: SetToolRuleInput!) { setToolRule(input: $i) { id } }', { i: { apiKeyId: created.createApiKey.apiKey.id, toolGlobs: ['add'] } }, admin.secret);

    const [createEvent] = await eventsFor('createApiKey');
    expect(auditEventSchema.parse(createEvent)).toEqual(createEvent);
    expect(createEvent).toMatchObject({
      kind: 'admin.change',
      tenantId: tenant.id,
      principal: { subject: `admin-token:${admin.id}`, via: 'admin-token' },
      decision: 'allow',
      change: { action: 'createApiKey', targetType: 'ApiKey', targetId: created.createApiKey.apiKey.id, before: null, after: { name: 'ci', revokedAt: null } },
    });

    await expect.poll(async () => (await cp.auditEvents()).filter((e) => e.change?.action === 'setToolRule').length).toBe(2);
    const ruleEvents = await eventsFor('setToolRule');
    expect(ruleEvents.map((e) => [e.change?.before?.toolGlobs ?? null, e.change?.after?.toolGlobs])).toEqual([
      [null, ['echo']],
      [['echo'], ['add']],
    ]);

    const tenantEvent = (await eventsFor('createTenant')).find((e) => e.tenantId === tenant.id);
    expect(tenantEvent?.principal).toEqual({ subject: 'bootstrap', via: 'bootstrap-token' });

    const everything = JSON.stringify(await cp.auditEvents());
    expect(everything).not.toContain(created.createApiKey.secret);
    expect(everything).not.toContain(hashApiKey(created.createApiKey.secret));
    expect(everything).not.toContain(admin.secret);
    expect(everything).not.toContain(cp.config.adminToken);
  });

  it('records nothing for a refused mutation', async () => {
    const tenant = await cp.createTenant('refused');
    const viewer = await cp.createAdminToken('TENANT_VIEWER', tenant.id);
    const result = await cp.graphql('mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }', { i: { tenantId: tenant.id, name: 'no' } }, viewer.secret);
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await cp.createTenant('after-refusal');
    // Events are queued in order: once a later change is on the queue, the refused one would be too.
    await expect.poll(async () => (await cp.auditEvents()).some((e) => e.change?.after?.slug === 'after-refusal')).toBe(true);
    expect((await cp.auditEvents()).filter((e) => e.tenantId === tenant.id && e.change?.action === 'createApiKey')).toEqual([]);
  });

  it('drops secret fields and URL passwords from before/after', () => {
    expect(withoutSecrets({ name: 'x', hash: 'h', nested: { secret: 's', at: new Date(0) }, list: [{ jws: 'j', ok: 1 }] })).toEqual({
      name: 'x',
      nested: { at: '1970-01-01T00:00:00.000Z' },
      list: [{ ok: 1 }],
    });
    expect(maskUrlPassword('redis://:hunter2@10.0.0.1:6379/1')).toBe('redis://:***@10.0.0.1:6379/1');
    expect(maskUrlPassword('https://example.com/a@b')).toBe('https://example.com/a@b');
  });
});
