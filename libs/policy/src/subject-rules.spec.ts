import { describe, expect, it } from 'vitest';
import { compilePolicy, decideToolCall, scopesGranting, toolAccessForScopes } from './compiled-policy.js';
import { compileSnapshot, type TenantModel } from './compile-snapshot.js';
import { tenantSnapshotSchema } from './snapshot.js';

const model: TenantModel = {
  tenant: { id: 't1', slug: 'acme' },
  servers: [],
  apiKeys: [],
  toolRules: [
    { id: 'allow-read', apiKeyId: null, scope: 'tools:read', toolGlobs: ['read_*'] },
    { id: 'allow-carol', apiKeyId: null, subject: 'carol', toolGlobs: ['write_*', 'delete_*'], promptGlobs: ['triage'] },
  ],
  denyRules: [{ id: 'deny-delete', name: 'no deletes', apiKeyId: null, scope: null, subject: 'carol', toolGlobs: ['delete_*'], resourceGlobs: [], promptGlobs: [] }],
};

describe('allow rules selected by subject', () => {
  const snapshot = compileSnapshot(model, 1);
  const policy = compilePolicy(snapshot);

  it('are published naming only the subject', () => {
    expect(snapshot.rules.find((r) => r.id === 'allow-carol')).toEqual({ id: 'allow-carol', subject: 'carol', toolGlobs: ['delete_*', 'write_*'], resourceGlobs: [], promptGlobs: ['triage'] });
  });

  it('grant their globs to that subject only, united with its scopes, and lose to deny rules', () => {
    const carol = toolAccessForScopes(policy, ['tools:read'], 'carol');
    expect(decideToolCall(carol, 'write_doc')).toEqual({ isAllowed: true, ruleId: 'allow-carol', reason: 'rule_allows' });
    expect(decideToolCall(carol, 'read_doc')).toMatchObject({ isAllowed: true, ruleId: 'allow-read' });
    expect(carol.mayGetPrompt('triage')).toBe(true);
    expect(decideToolCall(carol, 'delete_doc')).toMatchObject({ isAllowed: false, ruleId: 'deny-delete' });
    expect(decideToolCall(toolAccessForScopes(policy, [], 'carol'), 'write_doc')).toMatchObject({ isAllowed: true });
    const alice = toolAccessForScopes(policy, ['tools:read'], 'alice');
    expect(decideToolCall(alice, 'write_doc')).toMatchObject({ isAllowed: false, reason: 'no_matching_rule' });
    expect(decideToolCall(toolAccessForScopes(policy, ['tools:read']), 'write_doc')).toMatchObject({ isAllowed: false });
  });

  it('are not offered as a scope to step up to', () => {
    expect(scopesGranting(policy, 'write_doc')).toEqual([]);
  });

  it('are refused in a snapshot when a rule names more than one selector', () => {
    const bad = { ...snapshot, rules: [{ id: 'x', scope: 'tools:read', subject: 'carol', toolGlobs: ['*'] }] };
    expect(tenantSnapshotSchema.safeParse(bad).success).toBe(false);
    expect(tenantSnapshotSchema.safeParse({ ...snapshot, rules: [{ id: 'x', toolGlobs: ['*'] }] }).success).toBe(false);
    expect(tenantSnapshotSchema.parse(snapshot).rules).toHaveLength(2);
  });
});
