/**
 * Every credential type end to end through the real apps: identity providers, scope rules and key
 * rotation set up through GraphQL → signed snapshot over Redis → proxy (listening with TLS) →
 * server-everything, with the official MCP SDK client connecting with a JWT, an OAuth access token
 * (opaque, introspected), a client certificate (mTLS) and rotated API keys.
 */
import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { generateSnapshotKeyPair } from '@mcpg/policy';
import {
  adminGraphql,
  createTestDatabase,
  deleteRedisKeysWithPrefix,
  createTestPki,
  startEverythingServer,
  startTokenIssuer,
  type RunningMcpServer,
  type TestCertificate,
  type TestCertificateAuthority,
  type TokenIssuer,
  waitUntil,
} from '@mcpg/testing';
import { Agent, fetch as undiciFetch, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadControlPlaneConfig } from '../apps/control-plane/src/config.js';
import { startControlPlane, type RunningControlPlane } from '../apps/control-plane/src/control-plane.js';
import { loadProxyConfig } from '../apps/proxy/src/config.js';
import { startProxy, type RunningProxy } from '../apps/proxy/src/proxy-server.js';

const prefix = `test:e2e-id:${randomBytes(4).toString('hex')}:`;
const adminToken = randomBytes(24).toString('base64url');
let dropDatabase: () => Promise<void>;
let everything: RunningMcpServer;
let idp: TokenIssuer;
let authServer: TokenIssuer;
let controlPlane: RunningControlPlane;
let proxy: RunningProxy;
let tenantId: string;
const pki = createTestPki();
let serverCa: TestCertificateAuthority;
/** Trusts the proxy's server certificate; presents no client certificate. */
let tlsClient: Agent;

const mutate = adminGraphql(() => controlPlane.url, adminToken);


const mcpUrl = () => `${proxy.url}/t/acme/everything/mcp`;

/** The SDK client over TLS; with a bearer token, or authenticated by the dispatcher's client certificate. */
async function connect(token: string | null, dispatcher: Agent = tlsClient): Promise<Client> {
  const client = new Client({ name: 'e2e-identity', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(mcpUrl()), {
      requestInit: token ? { headers: { authorization: `Bearer ${token}` } } : {},
      fetch: (url, init) => undiciFetch(url, { ...(init as object), dispatcher }) as unknown as Promise<Response>,
    }),
  );
  return client;
}

/** 401 reason for the credential, or 'accepted' when the proxy let it through. */
async function verdict(token: string): Promise<string> {
  const res = await request(mcpUrl(), {
    method: 'POST',
    dispatcher: tlsClient,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
  });
  const body = (await res.body.json().catch(() => null)) as { error?: { data?: { reason?: string } } } | null;
  return res.statusCode === 401 ? (body?.error?.data?.reason ?? 'unauthorized') : 'accepted';
}

/** 401 reason for a request carrying only a client certificate, or 'accepted'. */
async function certificateVerdict(dispatcher: Agent): Promise<string> {
  const res = await request(mcpUrl(), {
    method: 'POST',
    dispatcher,
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
  });
  const body = (await res.body.json().catch(() => null)) as { error?: { data?: { reason?: string } } } | null;
  return res.statusCode === 401 ? (body?.error?.data?.reason ?? 'unauthorized') : 'accepted';
}

async function toolNames(token: string | null, dispatcher: Agent = tlsClient): Promise<string[]> {
  const client = await connect(token, dispatcher);
  try {
    return (await client.listTools()).tools.map((t) => t.name).sort();
  } finally {
    await client.close();
  }
}

/** Seals identity provider secrets (the introspection client secret) at rest and in snapshots. */
const secretsKey = randomBytes(32).toString('base64');

beforeAll(async () => {
  const db = await createTestDatabase('e2e_identity');
  dropDatabase = db.drop;
  const keys = await generateSnapshotKeyPair();
  everything = await startEverythingServer();
  [idp, authServer] = (await Promise.all([startTokenIssuer(), startTokenIssuer()])) as [TokenIssuer, TokenIssuer];
  controlPlane = await startControlPlane(
    loadControlPlaneConfig({
      DATABASE_URL: db.url,
      MCPG_REDIS_KEY_PREFIX: prefix,
      MCPG_ADMIN_TOKEN: adminToken,
      MCPG_SNAPSHOT_SIGNING_KEY: keys.privateKeyPem,
      CONTROL_PLANE_PORT: '0',
      MCPG_ALLOW_LOOPBACK_IDP_URLS: '1',
      MCPG_UPSTREAM_CREDENTIALS_KEY: secretsKey,
    }),
  );
  serverCa = pki.createCa('Proxy Server CA');
  const serverCert = serverCa.issue({ commonName: 'proxy', altNames: ['IP:127.0.0.1'] });
  tlsClient = new Agent({ connect: { ca: serverCa.certPem } });
  proxy = await startProxy(
    loadProxyConfig({
      PROXY_PORT: '0',
      MCPG_REDIS_KEY_PREFIX: prefix,
      MCPG_SNAPSHOT_PUBLIC_KEYS: keys.publicKeyPem,
      MCPG_TLS_CERT_FILE: serverCert.certFile,
      MCPG_TLS_KEY_FILE: serverCert.keyFile,
      MCPG_UPSTREAM_CREDENTIALS_KEY: secretsKey,
    }),
  );
  const t = await mutate<{ createTenant: { id: string } }>('mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }', {
    i: { slug: 'acme', name: 'Acme' },
  });
  tenantId = t.createTenant.id;
  await mutate('mutation($i: AddUpstreamServerInput!) { addUpstreamServer(input: $i) { id } }', { i: { tenantId, name: 'everything', url: everything.url } });
  for (const [scope, toolGlobs] of [['tools:echo', ['echo']], ['tools:math', ['get-sum']]] as const) {
    await mutate('mutation($i: SetScopeToolRuleInput!) { setScopeToolRule(input: $i) { id } }', { i: { tenantId, scope, toolGlobs } });
  }
});

afterAll(async () => {
  await proxy?.close();
  await tlsClient?.close();
  pki.cleanup();
  await controlPlane?.close();
  await idp?.close();
  await authServer?.close();
  await everything?.close();
  await dropDatabase?.();
  await deleteRedisKeysWithPrefix(prefix);
});

describe('credentials end to end', () => {
  let jwtProviderId: string;

  it('connects the SDK client with a JWT from an identity provider added through GraphQL; scopes pick the tools', async () => {
    const p = await mutate<{ createIdentityProvider: { id: string } }>(
      'mutation($i: CreateIdentityProviderInput!) { createIdentityProvider(input: $i) { id } }',
      { i: { tenantId, name: 'corp', issuer: idp.issuer, audiences: ['acme-mcp'], algorithms: ['RS256', 'EdDSA'], jwksUri: idp.jwksUri } },
    );
    jwtProviderId = p.createIdentityProvider.id;
    const token = await idp.sign({ audience: 'acme-mcp', claims: { sub: 'alice', scope: 'tools:echo' } });
    await waitUntil(async () => (await verdict(token)) === 'accepted', 'the proxy to know the identity provider');

    const client = await connect(token);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo']);
    const echoed = await client.callTool({ name: 'echo', arguments: { message: 'signed in' } });
    expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: signed in' }]);
    // Granted to another scope: a 403 step-up challenge; granted to none: a plain JSON-RPC denial.
    await expect(client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } })).rejects.toMatchObject({ code: 403 });
    await expect(client.callTool({ name: 'get-env', arguments: {} })).rejects.toMatchObject({ code: -32001 });
    await client.close();

    expect(await verdict(await idp.sign({ alg: 'EdDSA', audience: 'other-api' }))).toBe('wrong_audience');
  });

  it('connects the SDK client with an opaque OAuth access token checked by introspection (endpoints found by OIDC Discovery)', async () => {
    // An IdP without RFC 8414 metadata: the oidc-discovery profile finds its endpoints.
    authServer.metadataMode = 'oidc';
    await mutate('mutation($i: CreateIdentityProviderInput!) { createIdentityProvider(input: $i) { id } }', {
      i: {
        tenantId, name: 'as', kind: 'oauth', profile: 'oidc-discovery', issuer: authServer.issuer, algorithms: ['RS256'],
        clientId: authServer.clientId, clientSecret: authServer.clientSecret,
      },
    });
    const exp = Math.floor(Date.now() / 1000) + 300;
    const token = authServer.issueOpaque({ sub: 'bob', aud: mcpUrl(), scope: 'tools:echo tools:math', exp });
    await waitUntil(async () => (await verdict(token)) === 'accepted', 'the proxy to know the authorization server');
    expect(await toolNames(token)).toEqual(['echo', 'get-sum']);

    const metadata = await request(`${proxy.url}/.well-known/oauth-protected-resource/t/acme/everything/mcp`, { dispatcher: tlsClient });
    expect(await metadata.body.json()).toMatchObject({ resource: mcpUrl(), authorization_servers: [authServer.issuer] });
  });

  it('stops accepting a provider\'s tokens once it is deleted through GraphQL', async () => {
    const token = await idp.sign({ audience: 'acme-mcp', claims: { scope: 'tools:echo' } });
    expect(await verdict(token)).toBe('accepted');
    await mutate('mutation($id: ID!) { deleteIdentityProvider(id: $id) { id } }', { id: jwtProviderId });
    await waitUntil(async () => (await verdict(token)) === 'unknown_issuer', 'the deletion to reach the proxy');
  });

  it('rotates an API key with overlap: both keys work, then only the new one', async () => {
    const created = await mutate<{ createApiKey: { secret: string; apiKey: { id: string } } }>(
      'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret apiKey { id } } }',
      { i: { tenantId, name: 'ci' } },
    );
    const oldSecret = created.createApiKey.secret;
    await mutate('mutation($i: SetToolRuleInput!) { setToolRule(input: $i) { id } }', { i: { apiKeyId: created.createApiKey.apiKey.id, toolGlobs: ['echo'] } });
    await waitUntil(async () => (await verdict(oldSecret)) === 'accepted', 'the key to reach the proxy');

    const overlapMs = 1500;
    const rotated = await mutate<{ rotateApiKey: { newKey: { secret: string } } }>(
      'mutation($i: RotateApiKeyInput!) { rotateApiKey(input: $i) { newKey { secret } } }',
      { i: { id: created.createApiKey.apiKey.id, oldKeyExpiresAt: new Date(Date.now() + overlapMs).toISOString() } },
    );
    const newSecret = rotated.rotateApiKey.newKey.secret;
    await waitUntil(async () => (await verdict(newSecret)) === 'accepted', 'the new key to reach the proxy');
    expect(await verdict(oldSecret)).toBe('accepted');
    expect(await toolNames(newSecret)).toEqual(['echo']);
    await waitUntil(async () => (await verdict(oldSecret)) === 'expired_key', 'the overlap to end');
    expect(await verdict(newSecret)).toBe('accepted');
  });

  it('connects the SDK client with a client certificate from the tenant CA added through GraphQL', async () => {
    const clientCa = pki.createCa('Acme Agents CA');
    const agentCert: TestCertificate = clientCa.issue({ commonName: 'agent', altNames: ['URI:spiffe://acme/build-agent'] });
    const withCert = new Agent({ connect: { ca: serverCa.certPem, cert: agentCert.certPem, key: agentCert.keyPem } });
    try {
      const created = await mutate<{ createIdentityProvider: { id: string } }>('mutation($i: CreateIdentityProviderInput!) { createIdentityProvider(input: $i) { id } }', {
        i: { tenantId, name: 'agents', kind: 'mtls', caBundlePem: clientCa.certPem, certIdentityFrom: 'san-uri' },
      });
      await mutate('mutation($i: SetScopeToolRuleInput!) { setScopeToolRule(input: $i) { id } }', {
        i: { tenantId, scope: 'mtls:spiffe://acme/build-agent', toolGlobs: ['get-sum'] },
      });
      await waitUntil(async () => (await toolNames(null, withCert).catch(() => [])).length > 0, 'the client CA to reach the proxy');
      expect(await toolNames(null, withCert)).toEqual(['get-sum']);

      // The tenant revokes the certificate with a CRL: the proxy refuses it from the next snapshot on.
      await mutate('mutation($i: UpdateIdentityProviderInput!) { updateIdentityProvider(input: $i) { id } }', {
        i: { id: created.createIdentityProvider.id, crlPem: clientCa.crl([agentCert]) },
      });
      await waitUntil(async () => (await certificateVerdict(withCert)) === 'certificate_revoked', 'the CRL to reach the proxy');
    } finally {
      await withCert.close();
    }
  });
});
