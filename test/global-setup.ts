// vitest globalSetup (see vitest.config.ts): runs once before all test files.
// Brings the template database up to date with prisma/migrations, so that each test file can
// copy it with createTestDatabase() (libs/testing/src/database.ts) in a few milliseconds.
// Imported by relative path, not through '@mcpg/testing', so that it loads nothing else.
import { prepareTemplateDatabase } from '../libs/testing/src/database.js';

export default async function setup(): Promise<void> {
  const started = performance.now();
  const { rebuilt } = await prepareTemplateDatabase();
  if (rebuilt) console.log(`[global-setup] migrated the test template database in ${Math.round(performance.now() - started)} ms`);
}
