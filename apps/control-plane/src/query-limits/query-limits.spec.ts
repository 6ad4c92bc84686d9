import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneHarness } from '../testing/control-plane-harness.js';

describe('query limits', () => {
  let cp: ControlPlaneHarness;
  beforeAll(async () => {
    cp = await ControlPlaneHarness.start('cp_query_limits');
    await cp.startApp({ maxQueryDepth: 3, maxQueryCost: 200, maxBodyBytes: 2048 });
  });
  afterAll(() => cp?.close());

  it('runs operations within the limits', async () => {
    const result = await cp.graphql('{ tenants { id apiKeys { id } } me { subject } }');
    expect(result.errors).toBeUndefined();
  });

  it('refuses an operation nested deeper than the limit, counting through fragments', async () => {
    // The schema is shallow, so a depth-1 limit shows the rule on real documents.
    const shallow = await cp.startApp({ maxQueryDepth: 1 });
    try {
      const direct = await cp.graphql('{ tenants { id } }');
      expect(direct.errors?.[0]).toMatchObject({ message: 'query depth 2 exceeds the limit of 1', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
      const viaFragment = await cp.graphql('query { ...F } fragment F on Query { me { subject } }');
      expect(viaFragment.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    } finally {
      await cp.stopApp(shallow);
    }
  });

  it('refuses nested list fan-out above the cost limit', async () => {
    // tenants (1) + 10 × (id + apiKeys (1 + 10 × 3) + servers (1 + 10 × 3)) = 1 + 10 × 63 = 631 > 200
    const result = await cp.graphql('{ tenants { id apiKeys { id name prefix } servers { id name url } } }');
    expect(result.errors?.[0]).toMatchObject({ message: 'query cost 631 exceeds the limit of 200', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(result.data ?? null).toBeNull();
  });

  it('answers a request body above the size limit with 413, unparsed', async () => {
    const response = await fetch(cp.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${cp.config.adminToken}` },
      body: JSON.stringify({ query: `{ tenants { id } } # ${'x'.repeat(4096)}` }),
    });
    expect(response.status).toBe(413);
  });
});
