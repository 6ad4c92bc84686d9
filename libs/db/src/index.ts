// The control plane's database layer: the generated Prisma client (prisma/schema.prisma,
// generated into ./generated/prisma by `npx prisma generate`; the folder is not in git).
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.js';

// PrismaClient, the `Prisma` namespace, the model types (Tenant, ApiKey, …) and enums.
export * from './generated/prisma/client.js';

/**
 * A Prisma client for `databaseUrl` (postgresql://…). Prisma 7's client has no query engine
 * binary; it talks to PostgreSQL through node-postgres via the `@prisma/adapter-pg` driver adapter.
 * Call `$disconnect()` when done, which ends the adapter's connection pool.
 */
export function createPrismaClient(databaseUrl: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
}
