import { randomUUID } from 'node:crypto';
import { openSinkSecret, sinkSecretsKey } from '@mcpg/audit';
import { busNames } from '@mcpg/bus';
import { deleteRedisKeysWithPrefix } from '@mcpg/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneHarness } from '../testing/control-plane-harness.js';

// A tenant's sink credentials follow it between regions (each region its own Redis: here two
// logical databases with their own key prefixes), so the new region's exporter can deliver at once.
const base = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const run = randomUUID().slice(0, 8);
const regionSetup = {
  eu: { url: `${base}/1`, prefix: `test:sink-placement:${run}:eu:` },
  us: { url: `${base}/2`, prefix: `test:sink-placement:${run}:us:` },
} as const;
const PLACE = 'mutation($i: SetTenantRegionsInput!) { setTenantRegions(input: $i) { name } }';

describe('sink secrets when a tenant changes region', () => {
  let cp: ControlPlaneHarness;
  let tenantId: string;
  let sinkId: string;
  const regionIds: Record<'eu' | 'us', string> = {} as never;
  const redis: Record<'eu' | 'us', Redis> = {} as never;

  beforeAll(async () => {
    cp = await ControlPlaneHarness.start('cp_sink_placement');
    for (const name of ['eu', 'us'] as const) {
      redis[name] = new Redis(regionSetup[name].url);
      const { createRegion } = await cp.ok<{ createRegion: { id: string } }>('mutation($i: CreateRegionInput!) { createRegion(input: $i) { id } }', {
        i: { name, redisUrl: regionSetup[name].url, redisKeyPrefix: regionSetup[name].prefix },
      });
      regionIds[name] = createRegion.id;
    }
    tenantId = (await cp.createTenant('mover')).id;
    const { createAuditSink } = await cp.ok<{ createAuditSink: { id: string } }>('mutation($i: CreateAuditSinkInput!) { createAuditSink(input: $i) { id } }', {
      i: { tenantId, name: 'soc', kind: 'splunk_hec', url: 'https://splunk.example.com:8088', secret: 'hec-token-of-the-mover' },
    });
    sinkId = createAuditSink.id;
  });

  afterAll(async () => {
    await cp?.close();
    for (const name of ['eu', 'us'] as const) {
      if (!redis[name]) continue;
      redis[name].disconnect();
      await deleteRedisKeysWithPrefix(regionSetup[name].prefix, regionSetup[name].url);
    }
  });

  const sealedIn = async (where: 'default' | 'eu' | 'us') => {
    if (where === 'default') return cp.redis.hget(sinkSecretsKey(cp.names), sinkId);
    return redis[where].hget(sinkSecretsKey(busNames(regionSetup[where].prefix)), sinkId);
  };
  const opens = (sealed: string | null) => sealed !== null && (openSinkSecret(cp.config.sinkSecretKey!, sinkId, sealed) as { token?: string }).token === 'hec-token-of-the-mover';
  const place = (...regions: Array<'eu' | 'us'>) => cp.ok(PLACE, { i: { tenantId, regionIds: regions.map((r) => regionIds[r]) } });

  it('writes the secret to the regions the tenant enters and removes it from those it leaves', async () => {
    // Placed in no region: the default region holds it.
    expect(opens(await sealedIn('default'))).toBe(true);
    expect(await sealedIn('eu')).toBeNull();

    await place('eu');
    expect(opens(await sealedIn('eu'))).toBe(true);
    expect(await sealedIn('default')).toBeNull();
    expect(await sealedIn('us')).toBeNull();

    await place('eu', 'us');
    expect(opens(await sealedIn('eu'))).toBe(true);
    expect(opens(await sealedIn('us'))).toBe(true);

    await place('us');
    expect(await sealedIn('eu')).toBeNull();
    expect(opens(await sealedIn('us'))).toBe(true);
    // Its snapshot left eu too (the secret goes after it).
    expect(await redis.eu.hget(busNames(regionSetup.eu.prefix).manifestKey, tenantId)).toBeNull();
  });

  it('brings regions in step on start: a missing secret is written, one the region should not hold is removed', async () => {
    const euKey = sinkSecretsKey(busNames(regionSetup.eu.prefix));
    const usKey = sinkSecretsKey(busNames(regionSetup.us.prefix));
    // As if eu's Redis had been unreachable when the tenant left, and us's had lost its data.
    await redis.eu.hset(euKey, sinkId, 'stale-sealed-value');
    await redis.eu.hset(euKey, '00000000-0000-4000-8000-000000000000', 'of-a-deleted-sink');
    await redis.us.hdel(usKey, sinkId);

    const second = await cp.startApp();
    await expect.poll(() => sealedIn('us')).not.toBeNull();
    await expect.poll(() => redis.eu.hlen(euKey)).toBe(0);
    expect(opens(await sealedIn('us'))).toBe(true);
    await cp.stopApp(second);
  });
});
