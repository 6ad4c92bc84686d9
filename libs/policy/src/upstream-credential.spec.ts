import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compileSnapshot, type TenantModel } from './compile-snapshot.js';
import { compilePolicy } from './compiled-policy.js';
import { sealUpstreamCredential } from './upstream-credential.js';

const key = randomBytes(32);
const model: TenantModel = {
  tenant: { id: 't1', slug: 'acme' },
  servers: [
    { id: 's1', name: 'bearer', url: 'https://a.example/mcp', credential: sealUpstreamCredential(key, { kind: 'bearer', value: 'tok-1' }, 't1', 's1') },
    { id: 's2', name: 'keyed', url: 'https://b.example/mcp', credential: sealUpstreamCredential(key, { kind: 'header', headerName: 'X-API-Key', value: 'k-2' }, 't1', 's2') },
    { id: 's3', name: 'open', url: 'https://c.example/mcp' },
  ],
  apiKeys: [],
  toolRules: [],
};

describe('upstream credentials in the compiled policy', () => {
  it('opens each server\'s credential once, into the header to send', () => {
    const policy = compilePolicy(compileSnapshot(model, 1), { upstreamCredentialsKey: key });
    expect(policy.upstreamCredentials.get('s1')).toEqual({ name: 'authorization', value: 'Bearer tok-1' });
    expect(policy.upstreamCredentials.get('s2')).toEqual({ name: 'x-api-key', value: 'k-2' });
    expect(policy.upstreamCredentials.has('s3')).toBe(false);
    expect(policy.unopenedCredentialServerIds).toEqual([]);
  });

  it('keeps the tenant but sends no credential when the key is missing or wrong', () => {
    for (const upstreamCredentialsKey of [null, randomBytes(32)]) {
      const policy = compilePolicy(compileSnapshot(model, 1), { upstreamCredentialsKey });
      expect(policy.upstreamCredentials.size).toBe(0);
      expect(policy.unopenedCredentialServerIds).toEqual(['s1', 's2']);
      expect([...policy.serversByName.keys()]).toEqual(['bearer', 'keyed', 'open']);
    }
  });

  it('does not open a credential copied onto another server or tenant', () => {
    const moved = { ...model, servers: [{ ...model.servers[2]!, credential: model.servers[0]!.credential }] };
    expect(compilePolicy(compileSnapshot(moved, 1), { upstreamCredentialsKey: key }).unopenedCredentialServerIds).toEqual(['s3']);
    const otherTenant = { ...model, tenant: { id: 't2', slug: 'other' } };
    expect(compilePolicy(compileSnapshot(otherTenant, 1), { upstreamCredentialsKey: key }).upstreamCredentials.size).toBe(0);
  });
});
