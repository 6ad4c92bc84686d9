import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneHarness } from '../testing/control-plane-harness.js';

interface Page {
  tenants: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ cursor: string }>; nodes: Array<{ slug: string }> };
}
const TENANTS = `query($first: Int, $after: String, $filter: TenantFilter, $orderBy: TenantOrder) {
  tenants(first: $first, after: $after, filter: $filter, orderBy: $orderBy) { totalCount pageInfo { hasNextPage endCursor } edges { cursor } nodes { slug } }
}`;

describe('cursor pagination, filtering and ordering', () => {
  let cp: ControlPlaneHarness;
  const slugs = ['delta', 'alpha', 'echo', 'charlie', 'bravo'];
  beforeAll(async () => {
    cp = await ControlPlaneHarness.start('cp_pagination');
    for (const slug of slugs) await cp.createTenant(slug);
  });
  afterAll(() => cp?.close());

  async function all(variables: Record<string, unknown>, first: number): Promise<string[]> {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const { tenants }: Page = await cp.ok<Page>(TENANTS, { ...variables, first, after });
      expect(tenants.totalCount).toBeGreaterThanOrEqual(tenants.nodes.length);
      seen.push(...tenants.nodes.map((t) => t.slug));
      if (!tenants.pageInfo.hasNextPage) return seen;
      after = tenants.pageInfo.endCursor;
    }
    throw new Error('more pages than items');
  }

  it('walks every item exactly once, page by page, in creation order by default', async () => {
    expect(await all({}, 2)).toEqual(slugs);
    const { tenants } = await cp.ok<Page>(TENANTS, { first: 2 });
    expect(tenants).toMatchObject({ totalCount: 5, pageInfo: { hasNextPage: true } });
    expect(tenants.pageInfo.endCursor).toBe(tenants.edges[1]!.cursor);
  });

  it('orders by slug or name, either way', async () => {
    expect(await all({ orderBy: { field: 'SLUG' } }, 2)).toEqual([...slugs].sort());
    expect(await all({ orderBy: { field: 'SLUG', direction: 'DESC' } }, 3)).toEqual([...slugs].sort().reverse());
  });

  it('filters, and counts what matches', async () => {
    await cp.ok('mutation($id: ID!) { suspendTenant(id: $id) { id } }', {
      id: (await cp.prisma.tenant.findUniqueOrThrow({ where: { slug: 'echo' } })).id,
    });
    const suspended = await cp.ok<Page>(TENANTS, { filter: { isSuspended: true } });
    expect(suspended.tenants.nodes.map((t) => t.slug)).toEqual(['echo']);
    expect(suspended.tenants.totalCount).toBe(1);
    expect(await all({ filter: { slugContains: 'A' }, orderBy: { field: 'SLUG' } }, 1)).toEqual(['alpha', 'bravo', 'charlie', 'delta']);
  });

  it('refuses a page size out of range and a forged cursor with BAD_USER_INPUT', async () => {
    expect((await cp.graphql(TENANTS, { first: 101 })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect((await cp.graphql(TENANTS, { first: 0 })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect((await cp.graphql(TENANTS, { after: 'not-a-cursor' })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});
