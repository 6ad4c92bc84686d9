import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './database.js';

async function query<T extends Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

const insertTenant = (url: string, slug: string) =>
  query(url, `INSERT INTO "Tenant" (id, slug, name, "updatedAt") VALUES (gen_random_uuid(), $1, $1, now())`, [slug]);

describe('createTestDatabase', () => {
  let a: TestDatabase;
  let b: TestDatabase;

  beforeAll(async () => {
    [a, b] = await Promise.all([createTestDatabase('database spec A'), createTestDatabase('database spec B')]);
  });
  afterAll(async () => {
    await Promise.all([a?.drop(), b?.drop()]);
  });

  it('names databases after the caller, uniquely', () => {
    expect(a.url).toMatch(/\/mcpg_test_database_spec_a_[0-9a-f]{8}$/);
    expect(b.url).toMatch(/\/mcpg_test_database_spec_b_[0-9a-f]{8}$/);
  });

  it('copies the migrated template: every table and the Prisma migration history', async () => {
    const tables = await query<{ name: string }>(a.url, `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['ApiKey', 'AuditSink', 'IdentityProvider', 'RedactionSettings', 'Snapshot', 'Tenant', 'ToolRule', 'UpstreamServer', '_prisma_migrations']),
    );
    const migrations = await query<{ migration_name: string; finished: boolean }>(
      a.url,
      `SELECT migration_name, finished_at IS NOT NULL AS finished FROM _prisma_migrations`,
    );
    expect(migrations.length).toBeGreaterThan(0);
    expect(migrations.every((m) => m.finished)).toBe(true);
  });

  it('gives each test file its own database', async () => {
    await insertTenant(a.url, 'only-in-a');
    await insertTenant(b.url, 'only-in-b');
    expect(await query(a.url, `SELECT slug FROM "Tenant"`)).toEqual([{ slug: 'only-in-a' }]);
    expect(await query(b.url, `SELECT slug FROM "Tenant"`)).toEqual([{ slug: 'only-in-b' }]);
    // Same unique slug in both: no conflict, since nothing is shared.
    await insertTenant(b.url, 'only-in-a');
  });

  it('drop() removes the database, even with a connection still open, and can be called twice', async () => {
    const c = await createTestDatabase('dropped');
    const open = new Client({ connectionString: c.url });
    await open.connect();
    open.on('error', () => {}); // FORCE terminates this connection
    await c.drop();
    await c.drop();
    const name = new URL(c.url).pathname.slice(1);
    expect(await query(a.url, `SELECT 1 FROM pg_database WHERE datname = $1`, [name])).toEqual([]);
    await open.end().catch(() => {});
  });
});
