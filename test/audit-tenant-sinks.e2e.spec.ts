import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { sinkSecretsKey, type AuditEvent } from '@mcpg/audit';
import {
  startElasticReceiver,
  startEverythingServer,
  startWebhookReceiver,
  type ElasticReceiver,
  type RunningMcpServer,
  type WebhookReceiver,
} from '@mcpg/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneHarness } from '../apps/control-plane/src/testing/control-plane-harness.js';
import type { RunningProxy } from '../apps/proxy/src/proxy-server.js';
import type { SiemExporter } from '../apps/siem-exporter/src/siem-exporter.js';
import { startExporterFor, startProxyFor } from './support/apps-for-control-plane.js';

// Per-tenant sinks (issue 5): managed through GraphQL, compiled into the snapshot without their
// credentials, which reach the exporter sealed; each tenant's events go to its own sinks only.
const ES_KEY = { id: 'tenant-a-es', key: 'tenant-a-es-secret-value' };
const ES_API_KEY = Buffer.from(`${ES_KEY.id}:${ES_KEY.key}`).toString('base64');
const HOOK_SECRET = 'tenant-b-webhook-hmac-secret';
const SINK = 'id tenantId name kind url index ack secretVersion';

describe('per-tenant audit sinks', () => {
  let cp: ControlPlaneHarness;
  let everything: RunningMcpServer;
  let elastic: ElasticReceiver;
  let webhook: WebhookReceiver;
  let proxy: RunningProxy;
  let exporter: SiemExporter;
  let dir: string;
  const tenants: Record<'a' | 'b', { id: string; slug: string; secret: string }> = {} as never;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcpg-tenant-sinks-'));
    cp = await ControlPlaneHarness.start('tenant_sinks');
    everything = await startEverythingServer();
    elastic = await startElasticReceiver({ apiKey: ES_KEY });
    webhook = await startWebhookReceiver({ secret: HOOK_SECRET });
    for (const name of ['a', 'b'] as const) {
      const tenant = await cp.createTenant(`sinks-${name}`);
      await cp.ok('mutation($i: AddUpstreamServerInput!) { addUpstreamServer(input: $i) { id } }', { i: { tenantId: tenant.id, name: 'everything', url: everything.url } });
      const key = await cp.createApiKey(tenant.id);
      await cp.ok('mutation($i: SetToolRuleInput!) { setToolRule(input: $i) { id } }', { i: { apiKeyId: key.id, toolGlobs: ['echo'] } });
      tenants[name] = { ...tenant, secret: key.secret };
    }
    proxy = await startProxyFor(cp, { MCPG_AUDIT_SPOOL_FILE: join(dir, 'spool.jsonl') });
    exporter = await startExporterFor(cp, { MCPG_AUDIT_FILE: join(dir, 'all.jsonl'), EXPORTER_BACKOFF_MS: '20', EXPORTER_BACKOFF_MAX_MS: '100' }, { tenantSinks: true });
  });

  afterAll(async () => {
    await exporter?.close();
    await proxy?.close();
    await elastic?.close();
    await webhook?.close();
    await everything?.close();
    await cp?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('never returns or publishes a sink credential in clear', async () => {
    const created = await cp.graphql<{ createAuditSink: { id: string; secretVersion: number } }>(
      `mutation($i: CreateAuditSinkInput!) { createAuditSink(input: $i) { ${SINK} } }`,
      { i: { tenantId: tenants.a.id, name: 'soc-elastic', kind: 'elastic', url: elastic.url, index: 'tenant-a-audit', secret: ES_API_KEY } },
    );
    expect(created.errors).toBeUndefined();
    expect(created.data!.createAuditSink).toMatchObject({ tenantId: tenants.a.id, kind: 'elastic', index: 'tenant-a-audit', secretVersion: 1 });
    await cp.ok(`mutation($i: CreateAuditSinkInput!) { createAuditSink(input: $i) { ${SINK} } }`, {
      i: { tenantId: tenants.b.id, name: 'soc-hook', kind: 'webhook', url: webhook.url, secret: HOOK_SECRET },
    });
    const listed = await cp.ok<{ auditSinks: { totalCount: number; nodes: unknown[] } }>(`query($t: ID!) { auditSinks(tenantId: $t) { totalCount nodes { ${SINK} } } }`, { t: tenants.a.id });
    expect(listed.auditSinks).toMatchObject({ totalCount: 1, nodes: [expect.objectContaining({ name: 'soc-elastic', kind: 'elastic' })] });
    const asSecret = await cp.graphql(`query($t: ID!) { auditSinks(tenantId: $t) { nodes { secret } } }`, { t: tenants.a.id });
    expect(asSecret.errors?.[0]?.message).toContain('Cannot query field "secret"');

    const { jws, snapshot } = await cp.snapshotInRedis(tenants.a.id);
    expect(snapshot.sinks).toEqual([expect.objectContaining({ name: 'soc-elastic', kind: 'elastic', url: elastic.url, secretVersion: 1 })]);
    const sealed = await cp.redis.hgetall(sinkSecretsKey(cp.names));
    const row = await cp.prisma.auditSink.findFirstOrThrow({ where: { name: 'soc-elastic' } });
    for (const text of [JSON.stringify(created), JSON.stringify(listed), jws, Buffer.from(jws.split('.')[1]!, 'base64url').toString(), JSON.stringify(sealed), row.sealedSecret]) {
      expect(text).not.toContain(ES_API_KEY);
      expect(text).not.toContain(HOOK_SECRET);
    }
    expect(Object.keys(sealed)).toHaveLength(2);
  });

  it("delivers each tenant's events to its own sinks only, and all of them to the exporter's sinks", async () => {
    for (const name of ['a', 'b'] as const) {
      const client = new Client({ name: `tenant-${name}`, version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${proxy.url}/t/${tenants[name].slug}/everything/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${tenants[name].secret}` } },
        }),
      );
      await client.callTool({ name: 'echo', arguments: { message: `hello from ${name}` } });
      await client.close();
    }
    await proxy.flushAudit();
    const recorded = (await proxy.metrics.auditEvents.get()).values.reduce((sum, v) => sum + v.value, 0);
    // The file also receives the control plane's admin.change events (same queue): count the proxy's.
    const readAll = async () =>
      (await readFile(join(dir, 'all.jsonl'), 'utf8').catch(() => ''))
        .trimEnd()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as AuditEvent);
    const isProxyEvent = (e: AuditEvent) => e.kind !== 'admin.change';
    await expect.poll(async () => (await readAll()).filter(isProxyEvent).length, { timeout: 15_000 }).toBe(recorded);
    const all = await readAll();
    expect(all.filter((e) => e.kind === 'admin.change' && e.method === 'createAuditSink')).toHaveLength(2);
    for (const secret of [ES_API_KEY, HOOK_SECRET]) expect(JSON.stringify(all)).not.toContain(secret);
    const ofTenant = (id: string) => all.filter((e) => e.tenantId === id && isProxyEvent(e)).map((e) => e.id).sort();
    const proxyDocs = () => elastic.documents.filter((d) => (d.source.event as { action: string }).action !== 'admin.change');
    const proxyHooks = () => (webhook.events as AuditEvent[]).filter(isProxyEvent);

    await expect.poll(() => proxyDocs().length, { timeout: 15_000 }).toBe(ofTenant(tenants.a.id).length);
    await expect.poll(() => proxyHooks().length, { timeout: 15_000 }).toBe(ofTenant(tenants.b.id).length);
    expect(proxyDocs().map((d) => d.id).sort()).toEqual(ofTenant(tenants.a.id));
    expect(elastic.documents.every((d) => d.index === 'tenant-a-audit')).toBe(true);
    expect(elastic.documents.every((d) => (d.source.organization as { id: string }).id === tenants.a.id)).toBe(true);
    expect((webhook.events as AuditEvent[]).every((e) => e.tenantId === tenants.b.id)).toBe(true);
    expect(proxyHooks().map((e) => e.id).sort()).toEqual(ofTenant(tenants.b.id));
    expect(webhook.rejected).toBe(0);
    expect(ofTenant(tenants.a.id).length).toBeGreaterThan(0);
    expect(ofTenant(tenants.b.id).length).toBeGreaterThan(0);
  });
});
