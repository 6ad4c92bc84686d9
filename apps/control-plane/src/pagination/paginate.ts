import { z } from 'zod';
import { badUserInput } from '../errors/admin-error.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, SortDirection, type Connection, type PageArgs } from './connection.model.js';

type SortValue = string | number | Date;

/** A row can be paginated on `field` when it has that field and a unique `id` as tie-breaker. */
export interface PageQuery<T extends { id: string }, F extends keyof T & string> {
  readonly field: F;
  readonly direction: SortDirection;
  /** Runs the query with the extra cursor condition, ordering and limit. */
  findMany(args: { where: Record<string, unknown>; orderBy: Array<Record<string, 'asc' | 'desc'>>; take: number }): Promise<T[]>;
  count(): Promise<number>;
}

const cursorSchema = z.tuple([z.union([z.string(), z.number()]), z.string(), z.enum(['d', 's', 'n'])]);

/** Opaque to clients: base64url of [sort value, id, type of the value]. */
function encodeCursor(value: SortValue, id: string): string {
  const entry = value instanceof Date ? [value.toISOString(), id, 'd'] : [value, id, typeof value === 'number' ? 'n' : 's'];
  return Buffer.from(JSON.stringify(entry)).toString('base64url');
}

function decodeCursor(cursor: string): { value: SortValue; id: string } {
  try {
    const [value, id, type] = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { value: type === 'd' ? new Date(String(value)) : value, id };
  } catch {
    throw badUserInput('after', 'after: not a cursor from this list');
  }
}

/**
 * Keyset pagination over (`field`, id): stable under inserts, and each page is one indexed
 * range query rather than an OFFSET scan.
 */
export async function paginate<T extends { id: string }, F extends keyof T & string>(args: PageArgs, query: PageQuery<T, F>): Promise<Connection<T>> {
  const first = pageSizeOf(args);
  const dir = query.direction === SortDirection.DESC ? 'desc' : 'asc';
  const op = dir === 'asc' ? 'gt' : 'lt';
  let where: Record<string, unknown> = {};
  if (args.after) {
    const { value, id } = decodeCursor(args.after);
    where = { OR: [{ [query.field]: { [op]: value } }, { [query.field]: value, id: { [op]: id } }] };
  }
  const rows = await query.findMany({ where, orderBy: [{ [query.field]: dir }, { id: dir }], take: first + 1 });
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ cursor: encodeCursor(node[query.field] as unknown as SortValue, node.id), node }));
  return {
    nodes: page,
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: await query.count(),
  };
}

function pageSizeOf(args: PageArgs): number {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) throw badUserInput('first', `first: must be 1-${MAX_PAGE_SIZE}`);
  return first;
}

/**
 * The same connection over a list that is not in the database (read from Redis, or from the
 * caller's credentials), ordered by a key unique within it. Cursors name the last key, so a page
 * stays correct when items come and go between requests.
 */
export function paginateList<T>(args: PageArgs, items: readonly T[], keyOf: (item: T) => string): Connection<T> {
  const first = pageSizeOf(args);
  const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const keyed = items.map((node) => ({ key: keyOf(node), node })).sort((a, b) => byKey(a.key, b.key));
  let rest = keyed;
  if (args.after) {
    const { value } = decodeCursor(args.after);
    if (typeof value !== 'string') throw badUserInput('after', 'after: not a cursor from this list');
    rest = keyed.filter((item) => item.key > value);
  }
  const edges = rest.slice(0, first).map(({ key, node }) => ({ cursor: encodeCursor(key, key), node }));
  return {
    nodes: edges.map((edge) => edge.node),
    edges,
    pageInfo: { hasNextPage: rest.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: keyed.length,
  };
}

/** The same page with each node converted (rows → GraphQL models); cursors are kept. */
export function mapConnection<T, U>(connection: Connection<T>, convert: (node: T) => U): Connection<U> {
  const edges = connection.edges.map((edge) => ({ cursor: edge.cursor, node: convert(edge.node) }));
  return { nodes: edges.map((edge) => edge.node), edges, pageInfo: connection.pageInfo, totalCount: connection.totalCount };
}

/** `where` of a page query: the list's own filter AND the cursor condition. */
export const and = (filter: Record<string, unknown>, cursor: Record<string, unknown>) => ({ AND: [filter, cursor] });
