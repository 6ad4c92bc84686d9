/**
 * Publishing a change for one tenant among 10,000 (issue 6 target: p99 under 500 ms from the
 * mutation to every proxy enforcing it). Real apps in this process: the control plane (GraphQL,
 * PostgreSQL, Redis) and two proxies that hold all 10,000 tenants. Each sample is one
 * `setToolRule` mutation, timed from sending it until both proxies enforce the new version.
 *
 *   npm run build && node bench/publish-latency.bench.ts        (SAMPLES=200 to change the count)
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createPrismaClient } from '@mcpg/db';
import { createLogger } from '@mcpg/observability';
import { compileSnapshot, generateSnapshotKeyPair, importSigningKey, signSnapshot } from '@mcpg/policy';
import { createTestDatabase, deleteRedisKeysWithPrefix } from '@mcpg/testing';
import type * as ControlPlaneConfig from '../apps/control-plane/src/config.js';
import type * as ControlPlane from '../apps/control-plane/src/control-plane.js';
import type * as ProxyConfig from '../apps/proxy/src/config.js';
import type * as ProxyServer from '../apps/proxy/src/proxy-server.js';

// The apps' built output (NestJS needs its decorators compiled), typed by their sources.
const built = <T>(path: string) => import(new URL(path, import.meta.url).href) as Promise<T>;
const { loadControlPlaneConfig } = await built<typeof ControlPlaneConfig>('../apps/control-plane/dist/config.js');
const { startControlPlane } = await built<typeof ControlPlane>('../apps/control-plane/dist/control-plane.js');
const { loadProxyConfig } = await built<typeof ProxyConfig>('../apps/proxy/dist/config.js');
const { startProxy } = await built<typeof ProxyServer>('../apps/proxy/dist/proxy-server.js');

const TENANTS = 10_000;
const SAMPLES = Number(process.env.SAMPLES ?? 100);
const prefix = `bench:publish:${randomBytes(4).toString('hex')}:`;
const adminToken = randomBytes(24).toString('base64url');
const quiet = createLogger({ bench: true }, 'error', () => undefined);

const database = await createTestDatabase('bench_publish');
// Everything started is stopped and removed even when the run fails half-way.
let prisma: ReturnType<typeof createPrismaClient> | undefined;
let controlPlane: Awaited<ReturnType<typeof startControlPlane>> | undefined;
let proxies: Array<Awaited<ReturnType<typeof startProxy>>> = [];
try {
  const keys = await generateSnapshotKeyPair();
  const signingKey = await importSigningKey(keys.privateKeyPem);

  // 10,000 tenants with a published version 1, written directly (creating them through GraphQL
  // would only make the set-up slow; the measured path below is the real one).
  console.log(`creating ${TENANTS} tenants…`);
  prisma = createPrismaClient(database.url);
  for (let start = 0; start < TENANTS; start += 1000) {
    const tenants = Array.from({ length: 1000 }, (_, i) => ({ id: randomUUID(), slug: `tenant-${start + i}`, name: `Tenant ${start + i}` }));
    await prisma.tenant.createMany({ data: tenants });
    const snapshots = await Promise.all(
      tenants.map(async (tenant) => {
        const compiled = compileSnapshot({ tenant, servers: [], apiKeys: [], toolRules: [] }, 1);
        return { tenantId: tenant.id, version: 1, jws: await signSnapshot(compiled, signingKey), createdAt: new Date(compiled.createdAt) };
      }),
    );
    await prisma.snapshot.createMany({ data: snapshots });
  }

  controlPlane = await startControlPlane(
    loadControlPlaneConfig({
      DATABASE_URL: database.url,
      MCPG_REDIS_KEY_PREFIX: prefix,
      MCPG_ADMIN_TOKEN: adminToken,
      MCPG_SNAPSHOT_SIGNING_KEY: keys.privateKeyPem,
      CONTROL_PLANE_PORT: '0',
    }),
    { logger: quiet },
  ); // republishes all 10,000 to Redis on start
  const graphqlUrl = controlPlane.url;
  proxies = await Promise.all(
    ['bench-proxy-a', 'bench-proxy-b'].map((id) =>
      startProxy(loadProxyConfig({ PROXY_PORT: '0', MCPG_REDIS_KEY_PREFIX: prefix, MCPG_SNAPSHOT_PUBLIC_KEYS: keys.publicKeyPem, MCPG_PROXY_ID: id }), quiet),
    ),
  );
  console.log(`proxies hold ${proxies.map((p) => p.store.tenantCount).join(' and ')} tenants`);

  async function gql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const res = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: T; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data!;
  }

  const slug = `tenant-${TENANTS / 2}`;
  const tenantId = (await prisma.tenant.findUniqueOrThrow({ where: { slug } })).id;
  const { createApiKey } = await gql<{ createApiKey: { apiKey: { id: string } } }>(
    'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey { id } } }',
    { i: { tenantId, name: 'bench' } },
  );

  const enforcedEverywhere = (version: number) => proxies.every((p) => (p.store.findBySlug(slug)?.version ?? 0) >= version);
  const latencies: number[] = [];
  let version = 2;
  for (let i = 0; i < SAMPLES + 5; i++) {
    const start = performance.now();
    await gql('mutation($i: SetToolRuleInput!) { setToolRule(input: $i) { id } }', { i: { apiKeyId: createApiKey.apiKey.id, toolGlobs: [`tool-${i}`] } });
    version += 1;
    while (!enforcedEverywhere(version)) await new Promise((resolve) => setImmediate(resolve));
    if (i >= 5) latencies.push(performance.now() - start); // first five warm up
  }

  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)]!;
  console.log(`one tenant among ${TENANTS}, ${SAMPLES} changes, mutation → both proxies enforcing:`);
  console.log(`p50 ${pct(50).toFixed(1)} ms   p95 ${pct(95).toFixed(1)} ms   p99 ${pct(99).toFixed(1)} ms   max ${latencies.at(-1)!.toFixed(1)} ms`);
  console.log(pct(99) < 500 ? 'PASS: p99 under 500 ms' : 'FAIL: p99 over 500 ms');

} finally {
  for (const proxy of proxies) await proxy.close();
  await controlPlane?.close();
  await prisma?.$disconnect();
  await database.drop();
  await deleteRedisKeysWithPrefix(prefix);
}
