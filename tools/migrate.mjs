#!/usr/bin/env node
// The project's migrate command. It applies prisma/migrations with Prisma's own schema engine (the
// WebAssembly build, see wasm-schema-engine.mjs) and needs neither the Prisma CLI nor its native
// engine. It records migrations in the standard `_prisma_migrations` table, so
// `prisma migrate status|deploy` and this command agree.
//
//   node tools/migrate.mjs deploy   apply pending migrations; creates the database if it is missing
//   node tools/migrate.mjs status   exit 0 if the database is up to date, else list what is not, exit 1
//
// The database is --url <url>, else $DATABASE_URL, else the default of prisma.config.ts.
// To create a migration, use the Prisma CLI: `npx prisma migrate dev --name <name>`.

import { fileURLToPath } from 'node:url';
import { createSchemaEngine, ensureDatabase, loadMigrationsList, NO_FILTER, probeDatabase } from './wasm-schema-engine.mjs';

const DEFAULT_URL = 'postgresql://postgres@127.0.0.1:5432/mcpg';
const MIGRATIONS_DIR = fileURLToPath(new URL('../prisma/migrations', import.meta.url));
const USAGE = 'usage: node tools/migrate.mjs <deploy|status> [--url <postgresql://…>]';

function parseArgs(argv) {
  const options = { command: undefined, url: process.env.DATABASE_URL || DEFAULT_URL };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--url') options.url = argv[++i];
    else if (argv[i] === '-h' || argv[i] === '--help') options.command = 'help';
    else if (!options.command) options.command = argv[i];
    else throw new Error(`unexpected argument ${argv[i]}\n${USAGE}`);
  }
  return options;
}

/** "127.0.0.1:5432/mcpg", for messages (never print credentials). */
function where(url) {
  const u = new URL(url);
  return `${u.host}${u.pathname}`;
}

async function withEngine(url, fn) {
  const { engine, close } = await createSchemaEngine({ url });
  try {
    return await fn(engine);
  } finally {
    await close();
  }
}

async function deploy(url) {
  if (await ensureDatabase(url)) console.log(`Created database ${where(url)}`);
  const migrationsList = await loadMigrationsList(MIGRATIONS_DIR);
  const { appliedMigrationNames } = await withEngine(url, (engine) => engine.applyMigrations({ migrationsList, filters: NO_FILTER }));
  const found = migrationsList.migrationDirectories.length;
  if (appliedMigrationNames.length === 0) {
    console.log(`${found} migration(s) found, none pending: ${where(url)} is up to date.`);
  } else {
    console.log(`Applied ${appliedMigrationNames.length} of ${found} migration(s) to ${where(url)}:`);
    for (const name of appliedMigrationNames) console.log(`  ${name}`);
  }
  return 0;
}

async function status(url) {
  const problem = await probeDatabase(url);
  if (problem) {
    console.log(`${problem.error_code ?? 'Error'}: ${problem.message}`);
    return 1;
  }
  const migrationsList = await loadMigrationsList(MIGRATIONS_DIR);
  const diagnosis = await withEngine(url, (engine) =>
    engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters: NO_FILTER }),
  );
  const { history, failedMigrationNames, editedMigrationNames } = diagnosis;
  console.log(`${migrationsList.migrationDirectories.length} migration(s) found in prisma/migrations`);
  const report = (label, names) => names?.length && console.log(`${label}:\n${names.map((n) => `  ${n}`).join('\n')}`);
  report('Failed (resolve with `npx prisma migrate resolve`)', failedMigrationNames);
  report('Edited after being applied', editedMigrationNames);
  report('Not yet applied', history?.unappliedMigrationNames);
  report('Applied to the database but missing from prisma/migrations', history?.unpersistedMigrationNames);
  if (!history && !failedMigrationNames.length && !editedMigrationNames.length) {
    console.log(`${where(url)} is up to date.`);
    return 0;
  }
  return 1;
}

let exitCode;
try {
  const { command, url } = parseArgs(process.argv.slice(2));
  if (command === 'deploy') exitCode = await deploy(url);
  else if (command === 'status') exitCode = await status(url);
  else {
    console.log(USAGE);
    exitCode = command === 'help' ? 0 : 2;
  }
} catch (error) {
  console.error(`migrate: ${error.code ? `${error.code}: ` : ''}${String(error.message ?? error).replace(/\n\s+0: [\s\S]*$/, '')}`);
  exitCode = 1;
}
// Exit explicitly: the engine never clears its timers (applyMigrations leaves its 10 s
// migration-lock timeout pending), which would keep the process alive for 10 s for nothing.
process.exit(exitCode);
