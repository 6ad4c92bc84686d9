import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent } from '@mcpg/audit';
import { startEverythingServer, startHecReceiver, waitUntil, type HecReceiver, type RunningMcpServer } from '@mcpg/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneHarness } from '../apps/control-plane/src/testing/control-plane-harness.js';
import { connectSdkClient } from '../apps/proxy/src/testing/proxy-harness.js';
import type { RunningProxy } from '../apps/proxy/src/proxy-server.js';
import type { SiemExporter } from '../apps/siem-exporter/src/siem-exporter.js';
import { startExporterFor, startProxyFor } from './support/apps-for-control-plane.js';

// Tool results in audit events (issue 5), end to end: an admin turns `auditToolResults` on over
// GraphQL, the proxy records what server-everything's `echo` returned — its input, so a secret
// sent to it comes back in the RESULT — and the exporter delivers it to Splunk HEC and the JSON
// Lines file with the secret redacted and the rest intact. Turned off, no result is recorded.
const GITHUB_TOKEN = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a';
const EMPLOYEE_ID = 'EMP-424242';
const HEC_TOKEN = 'tool-results-hec-token';
const SET = `mutation($i: SetRedactionSettingsInput!) { setRedactionSettings(input: $i) { auditToolResults auditToolResultMaxBytes } }`;

describe('tool results in audit events, end to end', () => {
  let cp: ControlPlaneHarness;
  let everything: RunningMcpServer;
  let hec: HecReceiver;
  let proxy: RunningProxy;
  let exporter: SiemExporter;
  let dir: string;
  let tenant: { id: string; slug: string };
  let secret: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcpg-tool-results-'));
    cp = await ControlPlaneHarness.start('tool_results_e2e');
    everything = await startEverythingServer();
    hec = await startHecReceiver({ token: HEC_TOKEN });
    tenant = await cp.createTenant('results');
    await cp.ok('mutation($i: AddUpstreamServerInput!) { addUpstreamServer(input: $i) { id } }', { i: { tenantId: tenant.id, name: 'everything', url: everything.url } });
    const key = await cp.createApiKey(tenant.id);
    secret = key.secret;
    await cp.ok('mutation($i: SetToolRuleInput!) { setToolRule(input: $i) { id } }', { i: { apiKeyId: key.id, toolGlobs: ['echo'] } });
    proxy = await startProxyFor(cp, { MCPG_AUDIT_SPOOL_FILE: join(dir, 'spool.jsonl') });
    exporter = await startExporterFor(cp, { SPLUNK_HEC_URL: hec.url, SPLUNK_HEC_TOKEN: HEC_TOKEN, MCPG_AUDIT_FILE: join(dir, 'audit.jsonl') });
  });

  afterAll(async () => {
    await exporter?.close();
    await proxy?.close();
    await hec?.close();
    await everything?.close();
    await cp?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Sets the tenant's option over GraphQL and waits until the proxy runs the snapshot it published. */
  async function setToolResults(mode: 'ON' | 'OFF'): Promise<void> {
    const input = { tenantId: tenant.id, redactResponses: false, argumentValues: 'redact', customPatterns: [{ name: 'employee_id', pattern: 'EMP-\\d{6}' }] };
    const { setRedactionSettings } = await cp.ok<{ setRedactionSettings: unknown }>(SET, { i: { ...input, auditToolResults: mode, auditToolResultMaxBytes: 2048 } });
    expect(setRedactionSettings).toEqual({ auditToolResults: mode, auditToolResultMaxBytes: 2048 });
    const version = await cp.manifestVersion(tenant.id);
    await waitUntil(() => proxy.store.versionOf(tenant.id) >= version, `proxy on snapshot ${version}`);
  }

  async function echo(message: string): Promise<unknown> {
    const client = await connectSdkClient(`${proxy.url}/t/${tenant.slug}/everything/mcp`, secret);
    const reply = await client.callTool({ name: 'echo', arguments: { message } });
    await client.close();
    return reply;
  }

  /** Every proxy event, once HEC and the JSON Lines file have all of them. */
  async function delivered(): Promise<{ hecEvents: AuditEvent[]; sinkTexts: string[] }> {
    await proxy.flushAudit();
    const recorded = (await proxy.metrics.auditEvents.get()).values.reduce((sum, v) => sum + v.value, 0);
    const proxyEvents = (events: AuditEvent[]) => events.filter((e) => e.kind !== 'admin.change');
    const fileEvents = async () =>
      (await readFile(join(dir, 'audit.jsonl'), 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as AuditEvent);
    await expect.poll(() => proxyEvents(hec.events.map((e) => e.event as AuditEvent)).length, { timeout: 15_000 }).toBe(recorded);
    await expect.poll(async () => proxyEvents(await fileEvents()).length, { timeout: 15_000 }).toBe(recorded);
    return { hecEvents: proxyEvents(hec.events.map((e) => e.event as AuditEvent)), sinkTexts: [JSON.stringify(hec.events), await readFile(join(dir, 'audit.jsonl'), 'utf8')] };
  }

  it('delivers the result of a tool call redacted to every sink, linked to its tool.call event', async () => {
    await setToolResults('ON');
    const reply = await echo(`visible-marker pushed with ${GITHUB_TOKEN} by ${EMPLOYEE_ID}`);
    // Response redaction is off: the client gets what the tool returned. The event does not.
    expect(JSON.stringify(reply)).toContain(GITHUB_TOKEN);

    const { hecEvents, sinkTexts } = await delivered();
    for (const text of sinkTexts) {
      expect(text).not.toContain(GITHUB_TOKEN);
      expect(text).not.toContain(EMPLOYEE_ID);
    }
    const results = hecEvents.filter((e) => e.kind === 'tool.result');
    expect(results).toHaveLength(1);
    const call = hecEvents.find((e) => e.id === results[0]!.callEventId)!;
    expect(call).toMatchObject({ kind: 'tool.call', tool: 'echo', redactedCount: 2 });
    expect(results[0]).toMatchObject({
      tenantId: tenant.id,
      tool: 'echo',
      rpcId: call.rpcId,
      redactedCount: 2,
      result: {
        isError: false,
        content: [{ type: 'text', text: 'Echo: visible-marker pushed with [REDACTED:github_token] by [REDACTED:custom:employee_id]' }],
        truncated: false,
      },
    });
  });

  it('records no tool result after the tenant turns the option off', async () => {
    await setToolResults('OFF');
    await echo('second-call with nothing to hide');
    const { hecEvents } = await delivered();
    const second = hecEvents.find((e) => e.kind === 'tool.call' && (e.arguments as { message?: string }).message === 'second-call with nothing to hide');
    expect(second).toBeDefined();
    expect(hecEvents.filter((e) => e.kind === 'tool.result')).toHaveLength(1);
    expect(hecEvents.some((e) => e.callEventId === second!.id)).toBe(false);
  });
});
