import { describe, expect, it } from 'vitest';
import { compilePolicy, decidePromptGet, decideResourceRead, decideToolCall, toolAccessForScopes } from './compiled-policy.js';
import { compileSnapshot, type TenantModel } from './compile-snapshot.js';
import { tenantSnapshotSchema } from './snapshot.js';

const hash = (c: string) => c.repeat(64);
const model: TenantModel = {
  tenant: { id: 't1', slug: 'acme' },
  servers: [],
  apiKeys: [
    { id: 'k1', name: 'ci', prefix: 'mcpg_a', hash: hash('a'), revokedAt: null },
    { id: 'k2', name: 'bot', prefix: 'mcpg_b', hash: hash('b'), revokedAt: null },
  ],
  toolRules: [
    { id: 'allow-k1', apiKeyId: 'k1', toolGlobs: ['*'], resourceGlobs: ['file:///*'], promptGlobs: ['*'] },
    { id: 'allow-k2', apiKeyId: 'k2', toolGlobs: ['*'] },
    { id: 'allow-read', apiKeyId: null, scope: 'tools:read', toolGlobs: ['read_*', 'search'] },
  ],
  denyRules: [
    { id: 'deny-all-delete', name: 'no deletes', apiKeyId: null, scope: null, subject: null, toolGlobs: ['delete_*'], resourceGlobs: [], promptGlobs: [] },
    { id: 'deny-k1-secrets', name: 'ci secrets', apiKeyId: 'k1', scope: null, subject: null, toolGlobs: [], resourceGlobs: ['file:///etc/*'], promptGlobs: ['admin-*'] },
    { id: 'deny-bob-search', name: 'bob', apiKeyId: null, scope: 'tools:read', subject: 'bob', toolGlobs: ['search'], resourceGlobs: [], promptGlobs: [] },
  ],
};

describe('deny rules', () => {
  const policy = compilePolicy(compileSnapshot(model, 1));
  const k1 = policy.keysByHash.get(hash('a'))!;
  const k2 = policy.keysByHash.get(hash('b'))!;

  it('win over an allow rule, and name themselves in the decision', () => {
    expect(decideToolCall(k1, 'delete_repo')).toEqual({ isAllowed: false, ruleId: 'deny-all-delete', reason: 'rule_denies' });
    expect(decideToolCall(k1, 'read_file')).toEqual({ isAllowed: true, ruleId: 'allow-k1', reason: 'rule_allows' });
    expect(k1.mayCallTool('delete_repo')).toBe(false); // so tools/list hides it too
  });

  it('select by key: resources and prompts of one key only', () => {
    expect(decideResourceRead(k1, 'file:///etc/passwd')).toMatchObject({ isAllowed: false, ruleId: 'deny-k1-secrets' });
    expect(decideResourceRead(k1, 'file:///home/readme')).toMatchObject({ isAllowed: true });
    expect(decidePromptGet(k1, 'admin-reset')).toMatchObject({ isAllowed: false, reason: 'rule_denies' });
    expect(decidePromptGet(k2, 'admin-reset')).toMatchObject({ isAllowed: false, reason: 'no_matching_rule' });
    expect(decideToolCall(k2, 'delete_repo')).toMatchObject({ ruleId: 'deny-all-delete' });
  });

  it('select by scope AND subject for token principals', () => {
    const alice = toolAccessForScopes(policy, ['tools:read'], 'alice');
    const bob = toolAccessForScopes(policy, ['tools:read'], 'bob');
    expect(decideToolCall(alice, 'search')).toMatchObject({ isAllowed: true, ruleId: 'allow-read' });
    expect(decideToolCall(bob, 'search')).toEqual({ isAllowed: false, ruleId: 'deny-bob-search', reason: 'rule_denies' });
    expect(decideToolCall(bob, 'read_file')).toMatchObject({ isAllowed: true });
    expect(decideToolCall(toolAccessForScopes(policy, [], 'bob'), 'search')).toMatchObject({ reason: 'no_matching_rule' });
  });

  it('default to none when a snapshot made before them is parsed', () => {
    const { denyRules: _dropped, ...older } = compileSnapshot(model, 2);
    const parsed = tenantSnapshotSchema.parse(older);
    expect(parsed.denyRules).toEqual([]);
    expect(decideToolCall(compilePolicy(parsed).keysByHash.get(hash('a'))!, 'delete_repo')).toMatchObject({ isAllowed: true });
  });
});
