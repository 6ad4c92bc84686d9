import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const lib = (name: string) => fileURLToPath(new URL(`./libs/${name}/src/index.ts`, import.meta.url));
const require = createRequire(import.meta.url);
const libs = ['policy', 'auth', 'bus', 'mcp', 'audit', 'ratelimit', 'db', 'observability', 'testing'];

export default defineConfig({
  // SWC instead of esbuild: NestJS DI and @nestjs/graphql code-first need decorator metadata.
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    alias: {
      ...Object.fromEntries(libs.map((l) => [`@mcpg/${l}`, lib(l)])),
      // One copy of graphql, as under plain Node: Vite would otherwise load its ESM build for
      // ESM importers while NestJS requires the CJS build, and errors lose their identity.
      graphql: require.resolve('graphql'),
    },
  },
  test: {
    include: ['apps/*/src/**/*.spec.ts', 'libs/*/src/**/*.spec.ts', 'test/**/*.spec.ts'],
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: { MCPG_LOG_LEVEL: process.env.MCPG_LOG_LEVEL ?? 'warn' },
  },
});
