/**
 * mTLS through the real proxy: TLS listener (TLS 1.2+), per-tenant client CA bundles from the
 * snapshot, identity from the certificate's SAN, and the client-certificate header of a trusted
 * reverse proxy — accepted only from trusted addresses. Certificates are made in the test.
 */
import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { AuditEvent } from '@mcpg/audit';
import { busNames, SnapshotPublisher } from '@mcpg/bus';
import { compileSnapshot, generateSnapshotKeyPair, importSigningKey, signSnapshot, type IdentityProviderConfig, type TenantModel } from '@mcpg/policy';
import { createTestPki, deleteRedisKeysWithPrefix, queuedAuditEvents, startEverythingServer, type RunningMcpServer, type TestCertificate, type TestCertificateAuthority } from '@mcpg/testing';
import { Redis } from 'ioredis';
import { Agent, fetch as undiciFetch, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProxyConfig } from './config.js';
import { startProxy, type RunningProxy } from './proxy-server.js';

const prefix = `test:mtls:${randomBytes(4).toString('hex')}:`;
const names = busNames(prefix);
const pki = createTestPki();
let redis: Redis;
let everything: RunningMcpServer;
let tlsProxy: RunningProxy;
let headerProxy: RunningProxy;
let serverCa: TestCertificateAuthority;
let acmeCa: TestCertificateAuthority;
let otherCa: TestCertificateAuthority;
let acmeAgent: TestCertificate;
let otherAgent: TestCertificate;
const agents: Agent[] = [];

function mtlsProvider(ca: TestCertificateAuthority): IdentityProviderConfig {
  return {
    id: `mtls-${randomBytes(3).toString('hex')}`, name: 'client certificates', kind: 'mtls', position: 1, issuer: 'mtls', audiences: [], algorithms: [],
    jwksUri: null, jwks: null, hmacSecret: null, clockSkewSeconds: 0, subjectClaim: 'sub', scopeClaim: 'scope', introspection: null, profile: 'standard',
    clientCa: { caBundlePem: ca.certPem, identityFrom: 'san-uri', crlPem: null },
  };
}

/** An undici dispatcher that trusts the proxy's server CA and presents `client` (if any). */
function tlsAgent(client?: TestCertificate): Agent {
  const agent = new Agent({ connect: { ca: serverCa.certPem, ...(client ? { cert: client.certPem, key: client.keyPem } : {}) } });
  agents.push(agent);
  return agent;
}

async function post(url: string, dispatcher: Agent | undefined, headers: Record<string, string> = {}) {
  const res = await request(url, {
    method: 'POST',
    dispatcher,
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'mtls', version: '1' } } }),
  });
  const body = (await res.body.json().catch(() => null)) as { error?: { data?: { reason?: string } } } | null;
  return { status: res.statusCode, reason: body?.error?.data?.reason };
}


async function auditEvents(proxy: RunningProxy): Promise<AuditEvent[]> {
  await proxy.flushAudit();
  return queuedAuditEvents(names);
}

beforeAll(async () => {
  redis = new Redis('redis://127.0.0.1:6379');
  everything = await startEverythingServer();
  serverCa = pki.createCa('Proxy Server CA');
  const serverCert = serverCa.issue({ commonName: 'proxy', altNames: ['IP:127.0.0.1', 'DNS:localhost'] });
  acmeCa = pki.createCa('Acme Client CA');
  otherCa = pki.createCa('Other Client CA');
  acmeAgent = acmeCa.issue({ commonName: 'agent', altNames: ['URI:spiffe://acme/agent'] });
  otherAgent = otherCa.issue({ commonName: 'agent', altNames: ['URI:spiffe://other/agent'] });

  const pair = await generateSnapshotKeyPair();
  const signingKey = await importSigningKey(pair.privateKeyPem);
  const servers = [{ id: 'srv', name: 'everything', url: everything.url }];
  const tenants: TenantModel[] = [
    {
      tenant: { id: 'tenant-acme', slug: 'acme' }, servers, apiKeys: [],
      toolRules: [{ id: 'r-acme', apiKeyId: null, scope: 'mtls:spiffe://acme/agent', toolGlobs: ['echo'] }],
      identityProviders: [mtlsProvider(acmeCa)],
    },
    { tenant: { id: 'tenant-other', slug: 'other' }, servers, apiKeys: [], toolRules: [], identityProviders: [mtlsProvider(otherCa)] },
  ];
  for (const model of tenants) {
    await new SnapshotPublisher(redis, names).publish(model.tenant.id, 1, await signSnapshot(compileSnapshot(model, 1), signingKey));
  }
  const common = { PROXY_PORT: '0', MCPG_REDIS_KEY_PREFIX: prefix, MCPG_SNAPSHOT_PUBLIC_KEYS: pair.publicKeyPem, MCPG_AUDIT_FLUSH_MS: '20' };
  tlsProxy = await startProxy(
    loadProxyConfig({ ...common, MCPG_TLS_CERT_FILE: serverCert.certFile, MCPG_TLS_KEY_FILE: serverCert.keyFile, MCPG_TRUSTED_PROXY_CIDRS: '10.0.0.0/8' }),
  );
  headerProxy = await startProxy(loadProxyConfig({ ...common, MCPG_TRUSTED_PROXY_CIDRS: '127.0.0.1/32, ::1', MCPG_CLIENT_CERT_HEADER: 'X-SSL-Client-Cert' }));
});

afterAll(async () => {
  await tlsProxy?.close();
  await headerProxy?.close();
  await Promise.all(agents.map((a) => a.close()));
  await everything?.close();
  pki.cleanup();
  redis.disconnect();
  await deleteRedisKeysWithPrefix(prefix);
});

describe('mTLS', () => {
  it('listens with TLS 1.2 or newer only', async () => {
    expect(tlsProxy.url).toMatch(/^https:/);
    const { connect } = await import('node:tls');
    const port = Number(new URL(tlsProxy.url).port);
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, ca: serverCa.certPem, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' }, () => resolve('connected'));
      socket.on('error', () => resolve('refused'));
    });
    expect(outcome).toBe('refused');
  });

  it('lets the official SDK client in with a client certificate from the tenant CA; the SAN is the identity', async () => {
    const dispatcher = tlsAgent(acmeAgent);
    const client = new Client({ name: 'mtls-spec', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${tlsProxy.url}/t/acme/everything/mcp`), {
        fetch: (url, init) => undiciFetch(url, { ...(init as object), dispatcher }) as unknown as Promise<Response>,
      }),
    );
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo']);
    const echoed = await client.callTool({ name: 'echo', arguments: { message: 'over mTLS' } });
    expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: over mTLS' }]);
    await client.close();
    const events = await auditEvents(tlsProxy);
    expect(events.some((e) => e.kind === 'tool.call' && e.principal?.subject === 'spiffe://acme/agent' && e.principal.via === 'mtls')).toBe(true);
  });

  it('refuses a certificate from another tenant\'s CA, and no certificate at all, with 401 and an audit event', async () => {
    expect(await post(`${tlsProxy.url}/t/acme/everything/mcp`, tlsAgent(otherAgent))).toEqual({ status: 401, reason: 'certificate_untrusted' });
    expect(await post(`${tlsProxy.url}/t/acme/everything/mcp`, tlsAgent())).toEqual({ status: 401, reason: 'missing_credentials' });
    // The same certificate is fine at its own tenant.
    expect((await post(`${tlsProxy.url}/t/other/everything/mcp`, tlsAgent(otherAgent))).status).toBe(200);
    const events = await auditEvents(tlsProxy);
    expect(events.some((e) => e.kind === 'auth.failure' && e.reason === 'certificate_untrusted' && e.tenantId === 'tenant-acme')).toBe(true);
  });

  it('accepts the client-certificate header from a trusted reverse proxy address', async () => {
    const header = { 'x-ssl-client-cert': encodeURIComponent(acmeAgent.certPem) };
    expect((await post(`${headerProxy.url}/t/acme/everything/mcp`, undefined, header)).status).toBe(200);
    const foreign = { 'x-ssl-client-cert': encodeURIComponent(otherAgent.certPem) };
    expect(await post(`${headerProxy.url}/t/acme/everything/mcp`, undefined, foreign)).toEqual({ status: 401, reason: 'certificate_untrusted' });
  });

  it('ignores and audits the client-certificate header from an untrusted address', async () => {
    // The TLS proxy trusts only 10.0.0.0/8; this connection comes from 127.0.0.1.
    const header = { 'x-client-cert': encodeURIComponent(acmeAgent.certPem) };
    expect(await post(`${tlsProxy.url}/t/acme/everything/mcp`, tlsAgent(), header)).toEqual({ status: 401, reason: 'missing_credentials' });
    const events = await auditEvents(tlsProxy);
    expect(events.some((e) => e.kind === 'auth.failure' && e.reason === 'client_cert_header_untrusted' && e.sourceIp?.endsWith('127.0.0.1'))).toBe(true);
  });
});
