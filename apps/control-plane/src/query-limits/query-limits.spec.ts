import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneHarness } from '../testing/control-plane-harness.js';

describe('query limits', () => {
  let cp: ControlPlaneHarness;
  beforeAll(async () => {
    cp = await ControlPlaneHarness.start('cp_query_limits');
    await cp.startApp({ maxQueryDepth: 6, maxQueryCost: 200, maxBodyBytes: 2048 });
  });
  afterAll(() => cp?.close());

  it('runs operations within the limits', async () => {
    const result = await cp.graphql('{ tenants(first: 3) { nodes { id apiKeys(first: 5) { nodes { id } } } } me { subject } }');
    expect(result.errors).toBeUndefined();
  });

  it('refuses an operation nested deeper than the limit, counting through fragments', async () => {
    // The schema is shallow, so a depth-1 limit shows the rule on real documents.
    const shallow = await cp.startApp({ maxQueryDepth: 1 });
    try {
      const direct = await cp.graphql('{ me { subject } }');
      expect(direct.errors?.[0]).toMatchObject({ message: 'query depth 2 exceeds the limit of 1', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
      const viaFragment = await cp.graphql('query { ...F } fragment F on Query { me { subject } }');
      expect(viaFragment.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    } finally {
      await cp.stopApp(shallow);
    }
  });

  it('refuses nested list fan-out above the cost limit', async () => {
    // apiKeys: 1 + 50 (default page) × (nodes 1 + 3 fields) = 201; tenants: 1 + 10 × (nodes 1 + id 1 + 201) = 2031
    const result = await cp.graphql('{ tenants(first: 10) { nodes { id apiKeys { nodes { id name prefix } } } } }');
    expect(result.errors?.[0]).toMatchObject({ message: 'query cost 2031 exceeds the limit of 200', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(result.data ?? null).toBeNull();
    // A page size given as a variable is costed at the maximum page size (100).
    const variable = await cp.graphql('query($n: Int) { tenants(first: $n) { nodes { id } } }', { n: 1 });
    expect(variable.errors?.[0]?.message).toBe('query cost 201 exceeds the limit of 200');
  });

  it('answers a request body above the size limit with 413, unparsed', async () => {
    const response = await fetch(cp.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${cp.config.adminToken}` },
      body: JSON.stringify({ query: `{ me { subject } } # ${'x'.repeat(4096)}` }),
    });
    expect(response.status).toBe(413);
  });
});
