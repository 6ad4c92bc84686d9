import { describe, expect, it } from 'vitest';
import { AdminError } from '../errors/admin-error.js';
import { paginateList } from './paginate.js';

const items = ['delta', 'alpha', 'charlie', 'bravo'].map((name) => ({ name }));

describe('paginateList', () => {
  it('pages a list in key order and resumes after the cursor even when items changed in between', () => {
    const first = paginateList({ first: 2 }, items, (i) => i.name);
    expect(first).toMatchObject({ totalCount: 4, pageInfo: { hasNextPage: true }, nodes: [{ name: 'alpha' }, { name: 'bravo' }] });
    const changed = [...items.filter((i) => i.name !== 'charlie'), { name: 'aardvark' }];
    const second = paginateList({ first: 2, after: first.pageInfo.endCursor }, changed, (i) => i.name);
    expect(second).toMatchObject({ totalCount: 4, pageInfo: { hasNextPage: false }, nodes: [{ name: 'delta' }] });
    expect(second.edges.map((e) => e.node)).toEqual(second.nodes);
  });

  it.each([
    ['a page size of 0', { first: 0 }, 'first'],
    ['a page size of 101', { first: 101 }, 'first'],
    ['a foreign cursor', { after: 'not-a-cursor' }, 'after'],
    ['a numeric cursor from another list', { after: Buffer.from(JSON.stringify([3, 'x', 'n'])).toString('base64url') }, 'after'],
  ])('refuses %s naming %s', (_what, args, field) => {
    let error: unknown;
    try {
      paginateList(args, items, (i) => i.name);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AdminError);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });
});
