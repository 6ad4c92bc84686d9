import { describe, expect, it } from 'vitest';
import { adminChangeEvent } from './admin-change-event.js';
import { auditEventSchema } from './audit-event.js';
import { toEcsDocument } from './ecs-document.js';

describe('adminChangeEvent', () => {
  it('builds a valid admin.change event with the actor as principal and the mutation as method', () => {
    const event = adminChangeEvent(
      {
        actor: { subject: 'bootstrap', via: 'bootstrap_token' },
        action: 'setToolRule',
        target: { type: 'ApiKey', id: 'key-1' },
        tenantId: 'tenant-a',
        decision: 'allow',
        snapshotVersion: 4,
        region: 'eu-1',
        instanceId: 'cp-1',
        details: { toolGlobs: 2 },
      },
      Date.UTC(2026, 2, 1),
    );
    expect(auditEventSchema.parse(event)).toEqual(event);
    expect(event).toMatchObject({
      kind: 'admin.change',
      time: '2026-03-01T00:00:00.000Z',
      principal: { subject: 'bootstrap', via: 'bootstrap_token' },
      method: 'setToolRule',
      snapshotVersion: 4,
      proxyId: 'cp-1',
      details: { targetType: 'ApiKey', targetId: 'key-1', toolGlobs: 2 },
    });
    expect(toEcsDocument(event)).toMatchObject({ event: { category: ['configuration', 'iam'], action: 'admin.change' } });
  });
});
