// Stands in for Prisma's native `schema-engine` binary, so that the stock Prisma CLI
// (`prisma migrate dev|deploy|status|diff|reset|resolve`, `prisma db push|pull|execute`) works on
// a machine that cannot download that binary. prisma.config.ts points the CLI here through
// PRISMA_SCHEMA_ENGINE_BINARY; tools/schema-engine is the executable wrapper.
//
// It speaks the binary's interface and forwards the work to the WebAssembly build of the same
// engine (tools/wasm-schema-engine.mjs):
//   schema-engine --version                  -> prints "schema-engine-cli <git hash>"
//   schema-engine [--datamodels <file>]… [--datasource '{"url":…}'] cli <command>
//       one-shot commands: can-connect-to-database | create-database | drop-database.
//       On failure the binary logs a JSON line with an error_code on stderr and exits 1; the CLI
//       reads that line (after skipping the first one, the start-up log line).
//   schema-engine [--datamodels <file>]… [--datasource '{"url":…}']
//       JSON-RPC 2.0, one JSON object a line: requests on stdin, responses on stdout, logs as
//       JSON lines on stderr. The CLI ends the session by closing stdin.
//
// Flags the CLI may pass that do not matter here (--enabled-preview-features,
// --extension-types) are accepted and ignored.

import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  createDatabase,
  createSchemaEngine,
  describeEngineError,
  dropDatabase,
  engineVersion,
  NO_FILTER,
  probeDatabase,
} from './wasm-schema-engine.mjs';

// --- Arguments -------------------------------------------------------------------------------

const args = { datamodels: [], datasource: undefined, version: false, cli: undefined };
for (let argv = process.argv.slice(2), i = 0; i < argv.length; i++) {
  const arg = argv[i];
  if (arg === '--version' || arg === '-V') args.version = true;
  else if (arg === '--datamodels' || arg === '-d') args.datamodels.push(argv[++i]);
  else if (arg === '--datasource') args.datasource = JSON.parse(argv[++i]);
  else if (arg === '--enabled-preview-features' || arg === '--extension-types') i++;
  else if (arg === 'cli') args.cli = argv[++i];
  else fail(`schema-engine shim: unexpected argument ${arg}`);
}
const url = args.datasource?.url;

function fail(message) {
  process.stderr.write(message + '\n');
  process.exit(1);
}

/** A log line in the native binary's stderr format (the CLI parses these). */
function log(level, fields) {
  const line = { timestamp: new Date().toISOString(), level, fields, target: 'schema_engine::logger' };
  process.stderr.write(JSON.stringify(line) + '\n');
}

// --- --version and one-shot commands ----------------------------------------------------------

if (args.version) {
  // The CLI shows this in `prisma --version`; it only checks the hash when it downloads engines.
  process.stdout.write(`schema-engine-cli ${await engineVersion()} (wasm shim)\n`);
  process.exit(0);
}

if (args.cli) {
  log('INFO', { message: 'Starting schema engine CLI (wasm shim)', git_hash: await engineVersion() });
  if (!url) fail('schema-engine shim: `cli` commands need --datasource with a url');
  try {
    switch (args.cli) {
      case 'can-connect-to-database': {
        const problem = await probeDatabase(url);
        if (problem) {
          log('ERROR', { is_panic: false, ...problem });
          process.exit(1);
        }
        break;
      }
      case 'create-database':
        log('INFO', { message: `Database '${await createDatabase(url)}' was successfully created.` });
        break;
      case 'drop-database':
        log('INFO', { message: `The database '${await dropDatabase(url)}' was successfully dropped.` });
        break;
      default:
        fail(`schema-engine shim: unknown cli command ${args.cli}`);
    }
  } catch (error) {
    log('ERROR', { is_panic: false, message: String(error.message ?? error), error_code: '' });
    process.exit(1);
  }
  process.exit(0);
}

// --- JSON-RPC session ---------------------------------------------------------------------------

// The wasm engine connects to the database as soon as it is created (so, unlike the binary, even
// `migrate diff --from-empty` needs the configured database to exist). We create it on the first
// request that needs it and check the connection first, so that a missing database or a server
// that is down comes back as the binary's JSON-RPC error (P1003, P1001, …), which the CLI shows.
// No --datamodels (e.g. for `migrate diff`) must be `undefined`: an empty list makes the engine panic.
const datamodels = args.datamodels.length ? args.datamodels.map((path) => [path, readFileSync(path, 'utf8')]) : undefined;
let enginePromise;
function getEngine() {
  enginePromise ??= (async () => {
    if (!url) throw new Error('The schema engine needs a datasource url (set datasource.url in prisma.config.ts).');
    if (args.datasource.shadowDatabaseUrl)
      throw new Error('shadowDatabaseUrl is not supported by the wasm schema-engine shim; remove it (a temporary shadow database is created and dropped instead).');
    const problem = await probeDatabase(url);
    if (problem) throw Object.assign(new Error(problem.message), { code: problem.error_code });
    return createSchemaEngine({ url, datamodels, log: (line) => process.stderr.write(line.endsWith('\n') ? line : line + '\n') });
  })();
  return enginePromise;
}

function send(message) {
  process.stdout.write(JSON.stringify({ jsonrpc: '2.0', ...message }) + '\n');
}

// Requests the shim sends to the CLI (only `print`), waiting for the CLI's answer.
let nextOwnId = 1_000_000_000;
const pendingOwn = new Map();
function requestFromCli(method, params) {
  const id = nextOwnId++;
  return new Promise((resolve) => {
    pendingOwn.set(id, resolve);
    send({ id, method, params });
  });
}

// The wasm engine (8.1.0-2.59be4fda) builds shadow databases through the driver adapter's
// `connectToShadowDb()` in `devDiagnostic` and `diagnoseMigrationHistory`, but `evaluateDataLoss`
// and `createMigration` take another code path that fails with "PostgreSQL shadow DB must be
// provided through an external factory". They only need the shadow database to compute the
// schema the migrations produce, and the engine caches that per migrations list. So we fill the
// cache first with `diagnoseMigrationHistory`, which has no side effects. `migrate dev` normally
// calls devDiagnostic first anyway; this matters e.g. right after it applied pending migrations.
const warmedMigrationLists = new Set();
async function warmShadowCache(engine, { migrationsList, filters = NO_FILTER }) {
  const key = JSON.stringify(migrationsList);
  if (!migrationsList?.migrationDirectories?.length || warmedMigrationLists.has(key)) return;
  await engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: true, filters });
  warmedMigrationLists.add(key);
}

/** Methods the binary has but the WebAssembly engine lacks, or where the two differ. */
const overrides = {
  async evaluateDataLoss(params) {
    const { engine } = await getEngine();
    await warmShadowCache(engine, params);
    return engine.evaluateDataLoss(params);
  },
  async createMigration(params) {
    const { engine } = await getEngine();
    await warmShadowCache(engine, params);
    return engine.createMigration(params);
  },
  // The binary prints the diff through a `print` request to the CLI and returns no stdout; the
  // wasm engine returns it as `stdout`. The CLI only prints what comes through `print`.
  async diff(params) {
    const { engine } = await getEngine();
    const result = await engine.diff(params);
    if (result.stdout != null) await requestFromCli('print', { content: result.stdout });
    return { exitCode: result.exitCode, stdout: null };
  },
  async createDatabase() {
    return { databaseName: await createDatabase(url) };
  },
  async dropDatabase() {
    await dropDatabase(url);
    return {};
  },
  async getDatabaseVersion() {
    const { engine } = await getEngine();
    return engine.version();
  },
  async version() {
    return engineVersion();
  },
};

async function call(method, params) {
  if (overrides[method]) return overrides[method](params);
  const { engine } = await getEngine();
  if (typeof engine[method] !== 'function') {
    throw Object.assign(new Error(`Method not found: ${method}`), { rpcCode: -32601 });
  }
  return (await engine[method](params)) ?? {};
}

// The binary handles one request at a time; so do we (the CLI never pipelines anyway).
let queue = Promise.resolve();
let current; // id of the request in flight
let panicked = false;

function sendError(id, error) {
  if (error.rpcCode) return send({ id, error: { code: error.rpcCode, message: error.message } });
  const data = describeEngineError(error);
  panicked ||= data.is_panic;
  send({ id, error: { code: 4466, message: 'An error happened. Check the data field for details.', data } });
}

function handleRequest({ id, method, params }) {
  queue = queue.then(async () => {
    current = id;
    try {
      send({ id, result: await call(method, params) });
    } catch (error) {
      sendError(id, error);
    } finally {
      current = undefined;
    }
  });
}

// A Rust panic inside the engine's async code surfaces as an uncaught RuntimeError, not as a
// rejected promise, and the engine is unusable afterwards. Answer the request in flight the way
// the binary does (is_panic), then exit 101 as the binary does after a panic.
process.on('uncaughtException', (error) => {
  if (current !== undefined) sendError(current, error);
  log('ERROR', { ...describeEngineError(error), is_panic: true });
  process.exit(101);
});

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on('line', (line) => {
  if (!line.trim()) return;
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    return send({ id: null, error: { code: -32700, message: 'Parse error' } });
  }
  if (message.method) return handleRequest(message);
  // A response to one of our own requests.
  pendingOwn.get(message.id)?.(message.result);
  pendingOwn.delete(message.id);
});

// stdin closed: the CLI is done. Finish the request in flight, close the pools and exit (open
// pools would otherwise keep the process alive). Exit code 101 tells the CLI the engine panicked.
lines.on('close', async () => {
  await queue;
  if (enginePromise) await enginePromise.then((e) => e.close(), () => {});
  process.exit(panicked ? 101 : 0);
});
