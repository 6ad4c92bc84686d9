// Prisma's schema engine (migrations, diff, introspection), run as WebAssembly over node-postgres.
//
// Why this exists: every Prisma 7 CLI command wants the native `schema-engine` binary, which it
// downloads from binaries.prisma.sh, and that host is unreachable here. No npm package ships
// the binary, but `@prisma/schema-engine-wasm` ships the same engine compiled to WebAssembly.
// It talks to the database through a Prisma driver adapter, here `@prisma/adapter-pg`.
// Its methods are the native binary's JSON-RPC methods with the same parameters.
//
// Used by tools/schema-engine-shim.mjs (which stands in for the binary under the stock CLI) and
// by tools/migrate.mjs (the project's migrate command, which needs no CLI at all).
//
// @prisma/adapter-pg 7.10 is written for queries, not migrations. This module fixes four
// problems it has when the schema engine uses it (see `MigrationPg`):
//  1. Catalog columns of type "char" (OID 18) make it throw "Column type 'char' could not be
//     deserialized". The engine's Postgres describer selects such columns.
//  2. Its `connectToShadowDb()` does `new Pool({ ...config, database })`, but a
//     `connectionString` in `config` overrides `database`. So the "shadow" database is really the
//     main one, and `migrate dev` fails with `relation "…" already exists`.
//  3. Its shadow adapter's dispose drops the shadow database before closing that database's
//     pool. The drop fails ("is being accessed by other users"), and shadow databases leak.
//  4. Its `executeScript()` splits the script on every ";", so a migration with a ";" inside a
//     string literal or a function body breaks. It also runs the statements one by one, so a
//     migration that fails halfway leaves half of it applied. The native engine sends the whole
//     script as one simple-protocol query, which Postgres runs as one implicit transaction.
//     We do the same.

import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';

const require = createRequire(import.meta.url);
// pg's own connection-string parser (a dependency of pg), so URLs mean exactly what pg makes of them.
const { parse: parsePgUrl } = createRequire(require.resolve('pg'))('pg-connection-string');

/** The schema filter that means "no externally managed tables or enums". */
export const NO_FILTER = Object.freeze({ externalTables: [], externalEnums: [] });

// ---------------------------------------------------------------------------------------------
// Loading the WebAssembly module

let wasmBindings;

// On a Rust panic the engine hands the panic message to this global before it traps (the Prisma
// CLI installs the same object for its own wasm modules). Without it, a panic crashes the process
// with "Cannot read properties of undefined (reading 'set_message')" instead of throwing.
const panicRegistry = (globalThis.PRISMA_WASM_PANIC_REGISTRY ??= {
  message: '',
  get() {
    return this.message;
  },
  set_message(message) {
    this.message = `RuntimeError: ${message}`;
  },
});

/**
 * Instantiates the engine once per process and returns its JS bindings (`SchemaEngine`,
 * `version`). The package's entry point does `import * as wasm from "./x.wasm"`, which Node only
 * allows as an experimental feature (it prints a warning) and Vite cannot load at all.
 * So we do by hand what that entry point does.
 */
export async function loadWasmEngine() {
  if (!wasmBindings) {
    const bindingsPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bindings = await import(pathToFileURL(bindingsPath).href);
    const bytes = readFileSync(bindingsPath.replace(/\.js$/, '.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': bindings });
    bindings.__wbg_set_wasm(instance.exports);
    instance.exports.__wbindgen_start();
    wasmBindings = bindings;
  }
  return wasmBindings;
}

/** The engine's git hash, e.g. "59be4fda…". The native binary prints the same kind of string. */
export async function engineVersion() {
  return (await loadWasmEngine()).version();
}

// ---------------------------------------------------------------------------------------------
// The driver adapter, with the four fixes

/** Fix 1: report `"char"` (OID 18) columns as `text` (OID 25). Both arrive as plain strings. */
class CharAsTextClient extends pg.Client {
  _handleRowDescription(msg) {
    for (const field of msg.fields) if (field.dataTypeID === 18) field.dataTypeID = 25;
    super._handleRowDescription(msg);
  }
}

/** Pool config for a URL: separate fields (so `database` can be overridden), and fix 1. */
export function poolConfig(url, overrides = {}) {
  return { ...parsePgUrl(url), ...overrides, Client: CharAsTextClient };
}

/**
 * Runs `fn` with a short-lived client on `url` (or on another `database` of the same server),
 * for statements such as CREATE DATABASE.
 */
async function withClient(url, fn, database) {
  const client = new pg.Client(poolConfig(url, database ? { database } : {}));
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

class MigrationPg extends PrismaPg {
  #url;
  #adapters = new Set();

  /** `database` overrides the URL's database (used for shadow databases). */
  constructor(url, database) {
    super(poolConfig(url, database ? { database } : {}));
    this.#url = url;
  }

  async connect() {
    const adapter = await super.connect();
    const pool = adapter.underlyingDriver();
    // Fix 4: one simple-protocol query for the whole script (pg uses the simple protocol when
    // there are no parameters), exactly like the native engine's `raw_cmd`.
    adapter.executeScript = async (script) => {
      try {
        await pool.query(script);
      } catch (error) {
        adapter.onError(error); // converts to the DriverAdapterError the engine understands
      }
    };
    // Remember it so that `close()` can end pools the engine never disposes.
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      this.#adapters.delete(adapter);
      await dispose();
    };
    this.#adapters.add(adapter);
    return adapter;
  }

  async connectToShadowDb() {
    const database = `prisma_migrate_shadow_db_${randomUUID()}`;
    await withClient(this.#url, (c) => c.query(`CREATE DATABASE "${database}"`));
    // Fix 2: the shadow pool is configured with separate fields and `database` set, so nothing
    // overrides it.
    const adapter = await new MigrationPg(this.#url, database).connect();
    const dispose = adapter.dispose;
    // Fix 3: end the shadow pool first, then drop; FORCE ends any connection left behind.
    adapter.dispose = async () => {
      this.#adapters.delete(adapter);
      await dispose();
      await withClient(this.#url, (c) => c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
    };
    this.#adapters.add(adapter); // so that close() drops it if the engine never disposes it
    return adapter;
  }

  /** Ends every pool still open (the engine does not dispose its main connection). */
  async close() {
    await Promise.allSettled([...this.#adapters].map((a) => a.dispose()));
  }
}

// ---------------------------------------------------------------------------------------------
// Creating an engine

/**
 * Creates a schema engine connected to `url` (the database must exist: the engine connects
 * straight away). `datamodels` are `[path, content]` pairs of Prisma schema files, as the
 * native binary's `--datamodels`. `log` gets the engine's log lines, which are JSON strings in
 * the native binary's stderr format.
 *
 * Returns `{ engine, close }`; `close()` frees the engine and ends its connection pools.
 * The engine never clears the timers it starts (its bindings import setTimeout but not
 * clearTimeout); `applyMigrations`, for one, leaves its 10 s migration-lock timeout pending.
 * So a process that is done should exit explicitly rather than wait for the event loop to drain.
 */
export async function createSchemaEngine({ url, datamodels, log = () => {} }) {
  const { SchemaEngine } = await loadWasmEngine();
  const factory = new MigrationPg(url);
  let engine;
  try {
    engine = await SchemaEngine.new({ datamodels }, log, bindMigrationAwareSqlAdapterFactory(factory));
  } catch (error) {
    await factory.close();
    throw error;
  }
  return {
    engine,
    async close() {
      engine.free();
      await factory.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * The engine throws `Error`s whose `code` is the Prisma error code (P3005, …) when it has one,
 * and whose message may end with a tracing span trace ("   0: schema_commands::…"). A panic
 * surfaces as a `WebAssembly.RuntimeError`. This returns what the native binary puts in a
 * JSON-RPC error's `data`.
 */
export function describeEngineError(error) {
  const isPanic = error instanceof WebAssembly.RuntimeError;
  const raw = isPanic && panicRegistry.get() ? panicRegistry.get() : String(error?.message ?? error);
  const message = raw.replace(/\n\s+0: [\s\S]*$/, '').trimEnd();
  return {
    is_panic: isPanic,
    message,
    error_code: error?.code ?? databaseErrorCode(message),
    meta: error?.meta ?? {},
    // For panics the Prisma CLI reads the message from `data.error.message`.
    ...(isPanic && { error: { message } }),
  };
}

function databaseErrorCode(message) {
  if (/^Database `[^`]*` does not exist/.test(message)) return 'P1003';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Databases (the native binary's `cli can-connect-to-database|create-database|drop-database`)

function databaseName(url) {
  const { database } = parsePgUrl(url);
  if (!database) throw new Error(`No database name in the connection URL`);
  return database;
}

function serverLocation(url) {
  const { host, port } = parsePgUrl(url);
  return `${host ?? 'localhost'}:${port ?? 5432}`;
}

/** CREATE/DROP DATABASE run on the server's `postgres` maintenance database, like the native engine. */
const MAINTENANCE_DB = 'postgres';

/**
 * Tries to connect to `url`. Returns null on success, else `{ error_code, message }` with
 * the codes the native binary uses: P1003 (no such database), P1000 (authentication),
 * P1001 (server unreachable), P1010 (access denied).
 */
export async function probeDatabase(url) {
  try {
    await withClient(url, (c) => c.query('SELECT 1'));
    return null;
  } catch (error) {
    const where = serverLocation(url);
    switch (error.code) {
      case '3D000':
        return { error_code: 'P1003', message: `Database \`${databaseName(url)}\` does not exist on the database server at \`${where}\`.` };
      case '28P01':
      case '28000':
        return { error_code: 'P1000', message: `Authentication failed against database server at \`${where}\`, the provided database credentials are not valid.` };
      case '42501':
        return { error_code: 'P1010', message: `User was denied access on the database \`${databaseName(url)}\`` };
      default:
        if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'EAI_AGAIN'].includes(error.code))
          return { error_code: 'P1001', message: `Can't reach database server at \`${where}\`` };
        return { error_code: undefined, message: String(error.message ?? error) };
    }
  }
}

/** CREATE DATABASE for the database named in `url`. Returns its name. */
export async function createDatabase(url) {
  const name = databaseName(url);
  await withClient(url, (c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`), MAINTENANCE_DB);
  return name;
}

/** Creates the database named in `url` unless it exists. Returns true if it created it. */
export async function ensureDatabase(url) {
  const problem = await probeDatabase(url);
  if (!problem) return false;
  if (problem.error_code !== 'P1003') throw Object.assign(new Error(problem.message), { code: problem.error_code });
  try {
    await createDatabase(url);
  } catch (error) {
    if (error.code !== '42P04') throw error; // 42P04: someone else created it meanwhile
    return false;
  }
  return true;
}

/** DROP DATABASE … WITH (FORCE) for the database named in `url`. Returns its name. */
export async function dropDatabase(url) {
  const name = databaseName(url);
  await withClient(url, (c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`), MAINTENANCE_DB);
  return name;
}

// ---------------------------------------------------------------------------------------------
// Migrations directory

/**
 * Reads a migrations directory into the engine's `MigrationList`, the same way the Prisma CLI
 * does: every subdirectory is a migration whose script is `migration.sql`, sorted by name, plus
 * `migration_lock.toml`.
 */
export async function loadMigrationsList(migrationsDir, shadowDbInitScript = '') {
  const lockPath = 'migration_lock.toml';
  const lockfile = { path: lockPath, content: await readFile(join(migrationsDir, lockPath), 'utf8').catch(() => null) };
  const entries = existsSync(migrationsDir) ? await readdir(migrationsDir, { withFileTypes: true }) : [];
  const migrationDirectories = [];
  for (const entry of entries.filter((e) => e.isDirectory())) {
    const content = await readFile(join(migrationsDir, entry.name, 'migration.sql'), 'utf8').then(
      (value) => ({ tag: 'ok', value }),
      (error) => ({ tag: 'error', value: error.message }),
    );
    migrationDirectories.push({ path: entry.name, migrationFile: { path: 'migration.sql', content } });
  }
  migrationDirectories.sort((a, b) => a.path.localeCompare(b.path));
  return { baseDir: migrationsDir, lockfile, shadowDbInitScript, migrationDirectories };
}
