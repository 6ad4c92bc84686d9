// A fresh PostgreSQL database for each test file, in milliseconds.
//
// `prepareTemplateDatabase()` (run once per `vitest run` by test/global-setup.ts) makes sure the
// database `mcpg_test_template_<hash of the migrations>` holds exactly the migrations in prisma/migrations, applied by
// the project's migrate command (tools/migrate.mjs, Prisma's schema engine). Each test file then
// gets its own copy with `CREATE DATABASE … TEMPLATE` from it, a file-level copy that
// takes a few tens of milliseconds whatever the schema.
//
// The server is $TEST_DATABASE_URL (only its host, port, user and password are used), by default
// postgresql://postgres@127.0.0.1:5432. Several test runs may share that server at once (other
// checkouts, CI jobs): an advisory lock keeps a template rebuild from racing with copies, and the
// template is only rebuilt when prisma/migrations changed.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from 'pg';

/**
 * Name of the template for the migrations in this checkout: `mcpg_test_template_<hash>`. Naming it
 * by content lets checkouts with different migrations (branches, worktrees, CI jobs) share one
 * server without rebuilding each other's template.
 */
export async function templateDatabaseName(): Promise<string> {
  const hash = createHash('sha256').update((await localMigrations()).join('\n')).digest('hex').slice(0, 12);
  return `mcpg_test_template_${hash}`;
}

export interface TestDatabase {
  /** Connection URL of the new database. */
  url: string;
  /** Drops the database (WITH (FORCE): open connections are terminated). Safe to call twice. */
  drop(): Promise<void>;
}

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url)); // from src/ and dist/ alike
const MIGRATE = join(REPO_ROOT, 'tools', 'migrate.mjs');
const MIGRATIONS_DIR = join(REPO_ROOT, 'prisma', 'migrations');
// Key of the advisory lock (on the `postgres` database): held exclusively while the template is
// checked or rebuilt, shared while it is being copied.
const TEMPLATE_LOCK = 0x6d637067; // "mcpg"

/** URL of database `name` on the test server. */
export function testDatabaseUrl(name: string): string {
  const url = new URL(process.env.TEST_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/${name}`;
  url.search = '';
  return url.href;
}

async function withClient<T>(database: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: testDatabaseUrl(database) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Migration names and SHA-256 checksums, as Prisma records them in `_prisma_migrations`. */
async function localMigrations(): Promise<string[]> {
  const entries = await readdir(MIGRATIONS_DIR, { withFileTypes: true });
  const migrations: string[] = [];
  for (const entry of entries) {
    const file = join(MIGRATIONS_DIR, entry.name, 'migration.sql');
    if (!entry.isDirectory() || !existsSync(file)) continue;
    migrations.push(`${entry.name} ${createHash('sha256').update(await readFile(file)).digest('hex')}`);
  }
  return migrations.sort();
}

/** Whether the template exists and has exactly the local migrations, all applied successfully. */
async function templateIsCurrent(template: string): Promise<boolean> {
  try {
    const { rows } = await withClient(template, (c) =>
      c.query<{ m: string; ok: boolean }>(
        `SELECT migration_name || ' ' || checksum AS m, finished_at IS NOT NULL AS ok
           FROM _prisma_migrations WHERE rolled_back_at IS NULL`,
      ),
    );
    if (rows.some((r) => !r.ok)) return false;
    return JSON.stringify(rows.map((r) => r.m).sort()) === JSON.stringify(await localMigrations());
  } catch (error) {
    // 3D000: no template database yet; 42P01: no _prisma_migrations table.
    if (['3D000', '42P01'].includes((error as { code?: string }).code ?? '')) return false;
    throw error;
  }
}

/**
 * Makes the template for this checkout's migrations match prisma/migrations: if it is missing or out of date (or
 * `force` is set), drops and recreates it and applies the migrations with `tools/migrate.mjs
 * deploy`. Returns whether it rebuilt the template.
 */
export async function prepareTemplateDatabase(options: { force?: boolean } = {}): Promise<{ url: string; rebuilt: boolean }> {
  const template = await templateDatabaseName();
  const url = testDatabaseUrl(template);
  return withClient('postgres', async (admin) => {
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]); // released when `admin` ends
    if (!options.force && (await templateIsCurrent(template))) return { url, rebuilt: false };
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${template}`);
    try {
      await promisify(execFile)(process.execPath, [MIGRATE, 'deploy', '--url', url], { cwd: REPO_ROOT });
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`Migrating ${template} failed:\n${stdout}${stderr}`, { cause: error });
    }
    return { url, rebuilt: true };
  });
}

/** "Tenant service.spec" -> "tenant_service_spec", so it fits in a database name. */
function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 32) || 'db'
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Creates `mcpg_test_<name>_<random>`, a copy of the migrated template, for one test file.
 * Call `drop()` in afterAll. If the template does not exist (no global setup ran), it is
 * prepared first.
 */
export async function createTestDatabase(name: string): Promise<TestDatabase> {
  const database = `mcpg_test_${slug(name)}_${randomBytes(4).toString('hex')}`;
  const template = await templateDatabaseName();
  for (let attempt = 1; ; attempt++) {
    try {
      await withClient('postgres', async (admin) => {
        await admin.query('SELECT pg_advisory_lock_shared($1)', [TEMPLATE_LOCK]);
        await admin.query(`CREATE DATABASE ${database} TEMPLATE ${template}`);
      });
      break;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === '3D000' && attempt === 1) {
        await prepareTemplateDatabase(); // the template does not exist yet
      } else if (code === '55006' && attempt < 20) {
        await sleep(100); // someone is connected to the template (e.g. psql): wait a little
      } else {
        throw error;
      }
    }
  }
  const url = testDatabaseUrl(database);
  return {
    url,
    drop: () => withClient('postgres', (admin) => admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).then(() => undefined),
  };
}
