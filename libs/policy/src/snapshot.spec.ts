import { describe, expect, it } from 'vitest';
import { compileSnapshot, type TenantModel } from './compile-snapshot.js';
import { compilePolicy, decideToolCall } from './compiled-policy.js';
import { generateSnapshotKeyPair, importSigningKey, importVerificationKey, signSnapshot, verifySnapshot } from './snapshot-signature.js';

const hash = (c: string) => c.repeat(64);
const model: TenantModel = {
  tenant: { id: 't1', slug: 'acme' },
  servers: [{ id: 's1', name: 'everything', url: 'http://127.0.0.1:3001/mcp' }],
  apiKeys: [
    { id: 'k2', name: 'ci', prefix: 'mcpg_b', hash: hash('b'), revokedAt: new Date('2026-01-01T00:00:00Z') },
    { id: 'k1', name: 'dev', prefix: 'mcpg_a', hash: hash('a'), revokedAt: null },
  ],
  toolRules: [{ id: 'r1', apiKeyId: 'k1', toolGlobs: ['get-*', 'echo'] }],
};

describe('snapshot compile', () => {
  it('produces a deterministic, sorted document', () => {
    const now = new Date('2026-11-27T00:00:00Z');
    const a = compileSnapshot(model, 3, now);
    const b = compileSnapshot({ ...model, apiKeys: [...model.apiKeys].reverse() }, 3, now);
    expect(a).toEqual(b);
    expect(a.apiKeys.map((k) => k.id)).toEqual(['k1', 'k2']);
    expect(a.rules[0]?.toolGlobs).toEqual(['echo', 'get-*']);
    expect(a.version).toBe(3);
  });
  it('compiles to a policy that allows by rule and denies by default', () => {
    const policy = compilePolicy(compileSnapshot(model, 1));
    const dev = policy.keysByHash.get(hash('a'))!;
    expect(decideToolCall(dev, 'get-sum')).toEqual({ isAllowed: true, ruleId: 'r1', reason: 'rule_allows' });
    expect(decideToolCall(dev, 'trigger-sampling-request').isAllowed).toBe(false);
    const ci = policy.keysByHash.get(hash('b'))!;
    expect(ci.isRevoked).toBe(true);
    expect(decideToolCall(ci, 'echo').isAllowed).toBe(false);
    expect(policy.serversByName.get('everything')?.url).toBe('http://127.0.0.1:3001/mcp');
  });
});

describe('snapshot signature', () => {
  it('round-trips a snapshot signed with the configured key', async () => {
    const pair = await generateSnapshotKeyPair();
    const snapshot = compileSnapshot(model, 1);
    const jws = await signSnapshot(snapshot, await importSigningKey(pair.privateKeyPem));
    await expect(verifySnapshot(jws, [await importVerificationKey(pair.publicKeyPem)])).resolves.toEqual(snapshot);
  });
  it('rejects a snapshot signed with another key', async () => {
    const ours = await generateSnapshotKeyPair();
    const theirs = await generateSnapshotKeyPair();
    const jws = await signSnapshot(compileSnapshot(model, 1), await importSigningKey(theirs.privateKeyPem));
    await expect(verifySnapshot(jws, [await importVerificationKey(ours.publicKeyPem)])).rejects.toMatchObject({ code: 'bad_signature' });
  });
  it('rejects a snapshot whose payload was altered after signing', async () => {
    const pair = await generateSnapshotKeyPair();
    const jws = await signSnapshot(compileSnapshot(model, 1), await importSigningKey(pair.privateKeyPem));
    const [header, payload, signature] = jws.split('.');
    const altered = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    altered.rules[0].toolGlobs = ['*'];
    const forged = [header, Buffer.from(JSON.stringify(altered)).toString('base64url'), signature].join('.');
    await expect(verifySnapshot(forged, [await importVerificationKey(pair.publicKeyPem)])).rejects.toMatchObject({ code: 'bad_signature' });
  });
  it('accepts any of several configured keys so signing keys can rotate', async () => {
    const old = await generateSnapshotKeyPair();
    const next = await generateSnapshotKeyPair();
    const jws = await signSnapshot(compileSnapshot(model, 1), await importSigningKey(next.privateKeyPem));
    const keys = [await importVerificationKey(old.publicKeyPem), await importVerificationKey(next.publicKeyPem)];
    await expect(verifySnapshot(jws, keys)).resolves.toMatchObject({ version: 1 });
  });
});
