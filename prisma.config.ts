// Prisma 7 configuration, used by every `prisma` CLI command (generate, migrate, db, studio).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'prisma/config';

// Every Prisma CLI command first tries to download the native schema engine from
// binaries.prisma.sh, which is unreachable here. Pointing PRISMA_SCHEMA_ENGINE_BINARY at our
// shim (WebAssembly engine + node-postgres, see tools/schema-engine-shim.mjs) skips the download,
// and the stock `prisma migrate …` / `prisma db …` commands then run through the shim.
// `??=` keeps a real binary if someone provides one.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(new URL('./tools/schema-engine', import.meta.url));

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/mcpg' },
});
