/**
 * Every way a client proves who it is, through the real proxy: API keys (with expiry), JWTs from
 * per-tenant identity providers (JWKS fetched from a real local issuer), OAuth 2.1 access tokens
 * (local JWT verification and RFC 7662 introspection), and the attacks on each. Every refusal must
 * be a 401 with a JSON-RPC body naming the reason, a `WWW-Authenticate` challenge pointing at the
 * RFC 9728 metadata, and an `auth.failure` audit event — and the proxy keeps serving.
 */
import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { AuditEvent } from '@mcpg/audit';
import { generateApiKey, type NewApiKey } from '@mcpg/auth';
import { busNames, SnapshotPublisher } from '@mcpg/bus';
import {
  compileSnapshot,
  generateSnapshotKeyPair,
  importSigningKey,
  signSnapshot,
  type IdentityProviderConfig,
  type TenantModel,
} from '@mcpg/policy';
import {
  deleteRedisKeysWithPrefix,
  queuedAuditEvents,
  startEverythingServer,
  startTokenIssuer,
  startUpstreamTap,
  waitUntil,
  type RunningMcpServer,
  type TokenIssuer,
  type UpstreamTap,
} from '@mcpg/testing';
import { Redis } from 'ioredis';
import { base64url, SignJWT, type CryptoKey } from 'jose';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProxyConfig } from './config.js';
import { startProxy, type RunningProxy } from './proxy-server.js';

const prefix = `test:auth:${randomBytes(4).toString('hex')}:`;
const names = busNames(prefix);
const AUDIENCE = 'mcp-guard-acme';
const hmacSecret = randomBytes(32);
let redis: Redis;
let everything: RunningMcpServer;
let tap: UpstreamTap;
let proxy: RunningProxy;
let signingKey: CryptoKey;
let idp: TokenIssuer;
let otherTenantIdp: TokenIssuer;
let authServer: TokenIssuer;
let downIdp: TokenIssuer;
let slowIdp: TokenIssuer;
let junkIdp: TokenIssuer;
let flakyIdp: TokenIssuer;
let dev: NewApiKey;
let expired: NewApiKey;
let rotatedOut: NewApiKey;
let version = 0;

function provider(id: string, position: number, over: Partial<IdentityProviderConfig>): IdentityProviderConfig {
  return {
    id,
    name: id,
    kind: 'jwt',
    position,
    issuer: '',
    audiences: [AUDIENCE],
    algorithms: ['RS256', 'ES256', 'EdDSA'],
    jwksUri: null,
    jwks: null,
    hmacSecret: null,
    clockSkewSeconds: 5,
    subjectClaim: 'sub',
    scopeClaim: 'scope',
    introspection: null,
    profile: 'standard',
    clientCa: null,
    ...over,
  };
}

/** Seals the HS256 and introspection client secrets into the snapshots, as the control plane does. */
const secretsKey = randomBytes(32);

async function publish(m: TenantModel): Promise<void> {
  version += 1;
  const jws = await signSnapshot(compileSnapshot(m, version, new Date(), { secretsKey }), signingKey);
  await new SnapshotPublisher(redis, names).publish(m.tenant.id, version, jws);
}

const mcpUrl = (tenant = 'acme') => `${proxy.url}/t/${tenant}/everything/mcp`;

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'auth-spec', version: '1.0.0' } },
});

/** HTTP status of an `initialize` through the proxy: 200 once the credential is accepted. */
async function statusOf(authorization: string, tenant = 'acme'): Promise<number> {
  const res = await request(mcpUrl(tenant), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization },
    body: INITIALIZE,
  });
  await res.body.dump();
  return res.statusCode;
}


async function auditEvents(): Promise<AuditEvent[]> {
  await proxy.flushAudit();
  return queuedAuditEvents(names);
}

/** Sends the credential, expects a 401 naming `reason`, and returns the request's trace id. */
async function expectRefused(authorization: string | undefined, reason: string, tenant = 'acme'): Promise<string> {
  const traceId = randomBytes(16).toString('hex');
  const res = await request(mcpUrl(tenant), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      ...(authorization === undefined ? {} : { authorization }),
    },
    body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
  });
  expect(res.statusCode, reason).toBe(401);
  expect(res.headers['content-type']).toBe('application/json');
  expect(res.headers['www-authenticate']).toContain(
    `resource_metadata="${proxy.url}/.well-known/oauth-protected-resource/t/${tenant}/everything/mcp"`,
  );
  expect(await res.body.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32004, data: { reason } } });
  return traceId;
}

async function expectAuditedFailures(expected: Array<[traceId: string, reason: string]>): Promise<void> {
  const events = await auditEvents();
  for (const [traceId, reason] of expected) {
    const event = events.find((e) => e.traceId === traceId);
    expect(event, reason).toMatchObject({ kind: 'auth.failure', decision: 'deny', reason, status: 401, principal: null });
  }
}

async function connect(token: string, tenant = 'acme'): Promise<Client> {
  const client = new Client({ name: 'auth-spec', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl(tenant)), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

beforeAll(async () => {
  redis = new Redis('redis://127.0.0.1:6379');
  everything = await startEverythingServer();
  tap = await startUpstreamTap(everything.url);
  const issuers = await Promise.all(Array.from({ length: 7 }, () => startTokenIssuer()));
  [idp, otherTenantIdp, authServer, downIdp, slowIdp, junkIdp, flakyIdp] = issuers as [TokenIssuer, ...TokenIssuer[]] as TokenIssuer[] as [
    TokenIssuer, TokenIssuer, TokenIssuer, TokenIssuer, TokenIssuer, TokenIssuer, TokenIssuer,
  ];
  downIdp.jwksMode = 'down';
  slowIdp.jwksMode = 'slow';
  junkIdp.jwksMode = 'junk';
  const pair = await generateSnapshotKeyPair();
  signingKey = await importSigningKey(pair.privateKeyPem);
  dev = generateApiKey();
  expired = generateApiKey();
  rotatedOut = generateApiKey();
  proxy = await startProxy(
    loadProxyConfig({
      PROXY_PORT: '0',
      MCPG_REDIS_KEY_PREFIX: prefix,
      MCPG_SNAPSHOT_PUBLIC_KEYS: pair.publicKeyPem,
      MCPG_AUDIT_FLUSH_MS: '20',
      MCPG_JWKS_TIMEOUT_MS: '300',
      MCPG_JWKS_COOLDOWN_MS: '150',
      MCPG_UPSTREAM_CREDENTIALS_KEY: secretsKey.toString('base64'),
    }),
  );
  // The resource URL (RFC 8707) is the proxy's own, known once it listens on its free port.
  const servers = [{ id: 'srv1', name: 'everything', url: tap.url }];
  await publish({
    tenant: { id: 'tenant-acme', slug: 'acme' },
    servers,
    apiKeys: [
      { id: 'key-dev', name: 'dev', prefix: dev.prefix, hash: dev.hash, revokedAt: null, expiresAt: new Date(Date.now() + 3_600_000) },
      { id: 'key-expired', name: 'expired', prefix: expired.prefix, hash: expired.hash, revokedAt: null, expiresAt: new Date(Date.now() - 1000) },
      { id: 'key-rotated', name: 'rotated', prefix: rotatedOut.prefix, hash: rotatedOut.hash, revokedAt: null, expiresAt: new Date(Date.now() - 1) },
    ],
    toolRules: [
      { id: 'rule-dev', apiKeyId: 'key-dev', toolGlobs: ['echo'] },
      { id: 'rule-echo', apiKeyId: null, scope: 'tools:echo', toolGlobs: ['echo'] },
      { id: 'rule-math', apiKeyId: null, scope: 'tools:math', toolGlobs: ['get-sum'] },
      { id: 'rule-carol', apiKeyId: null, subject: 'carol@acme', toolGlobs: ['get-env'] },
    ],
    identityProviders: [
      provider('p-idp', 1, { issuer: idp.issuer, jwksUri: idp.jwksUri }),
      provider('p-hs', 2, { issuer: 'https://hs.example', algorithms: ['HS256'], hmacSecret: base64url.encode(hmacSecret) }),
      // Allows HS256 and RS256 for one issuer: an HS256 token must still only verify with the HMAC secret.
      provider('p-mixed', 3, {
        issuer: 'https://mixed.example',
        algorithms: ['HS256', 'RS256'],
        jwksUri: idp.jwksUri,
        hmacSecret: base64url.encode(randomBytes(32)),
      }),
      provider('p-oauth', 4, {
        kind: 'oauth',
        issuer: authServer.issuer,
        audiences: [],
        jwksUri: authServer.jwksUri,
        introspection: { url: authServer.introspectionUrl, clientId: authServer.clientId, clientSecret: authServer.clientSecret },
      }),
      provider('p-down', 5, { issuer: downIdp.issuer, jwksUri: downIdp.jwksUri }),
      provider('p-slow', 6, { issuer: slowIdp.issuer, jwksUri: slowIdp.jwksUri }),
      provider('p-junk', 7, { issuer: junkIdp.issuer, jwksUri: junkIdp.jwksUri }),
      provider('p-flaky', 8, { issuer: flakyIdp.issuer, jwksUri: flakyIdp.jwksUri }),
    ],
  });
  await publish({
    tenant: { id: 'tenant-other', slug: 'other' },
    servers,
    apiKeys: [],
    toolRules: [{ id: 'rule-other', apiKeyId: null, scope: 'tools:echo', toolGlobs: ['echo'] }],
    identityProviders: [provider('p-other', 1, { issuer: otherTenantIdp.issuer, jwksUri: otherTenantIdp.jwksUri })],
  });
  await waitUntil(() => proxy.store.versionOf('tenant-acme') > 0 && proxy.store.versionOf('tenant-other') > 0, 'both snapshots');
});

afterAll(async () => {
  await proxy?.close();
  await Promise.all([idp, otherTenantIdp, authServer, downIdp, slowIdp, junkIdp, flakyIdp].map((i) => i?.close()));
  await tap?.close();
  await everything?.close();
  redis.disconnect();
  await deleteRedisKeysWithPrefix(prefix);
});

describe('JWT from a tenant identity provider', () => {
  it('lets the official SDK client in with a JWT; its scope decides which tools it sees and may call', async () => {
    const client = await connect(await idp.sign({ audience: AUDIENCE, claims: { scope: 'tools:echo openid' } }));
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['echo']);
    const echoed = await client.callTool({ name: 'echo', arguments: { message: 'jwt' } });
    expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: jwt' }]);
    // get-sum is granted to another scope: the SDK sees the 403 step-up challenge; get-env to none: a plain denial.
    await expect(client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } })).rejects.toMatchObject({ code: 403 });
    await expect(client.callTool({ name: 'get-env', arguments: {} })).rejects.toMatchObject({ code: -32001 });
    await client.close();
    expect(tap.calledTools()).not.toContain('get-sum');
  });

  it('answers a tool outside the token\'s scopes with 403 insufficient_scope naming the scopes to ask for (step-up)', async () => {
    const token = await idp.sign({ audience: AUDIENCE, claims: { scope: 'tools:echo openid' } });
    const traceId = randomBytes(16).toString('hex');
    const res = await request(mcpUrl(), {
      method: 'POST',
      headers: {
        'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}`,
        traceparent: `00-${traceId}-${'2'.repeat(16)}-01`,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'get-sum', arguments: { a: 1, b: 2 } } }),
    });
    expect(res.statusCode).toBe(403);
    const challenge = String(res.headers['www-authenticate']);
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="tools:echo openid tools:math"');
    expect(challenge).toContain(`resource_metadata="${proxy.url}/.well-known/oauth-protected-resource/t/acme/everything/mcp"`);
    expect(await res.body.json()).toMatchObject({ jsonrpc: '2.0', id: 9, error: { code: -32001, data: { reason: 'insufficient_scope', scope: 'tools:echo openid tools:math' } } });
    const event = (await auditEvents()).find((e) => e.traceId === traceId);
    expect(event).toMatchObject({ kind: 'tool.denied', tool: 'get-sum', reason: 'insufficient_scope', status: 403, principal: { via: 'jwt' } });
  });

  it('unites the token\'s scope rules with the rule of its subject; other subjects with the same scopes do not get it', async () => {
    const carol = await connect(await idp.sign({ audience: AUDIENCE, claims: { sub: 'carol@acme', scope: 'tools:echo' } }));
    expect((await carol.listTools()).tools.map((t) => t.name).sort()).toEqual(['echo', 'get-env']);
    expect((await carol.callTool({ name: 'get-env', arguments: {} })).isError).toBeFalsy();
    expect((await carol.callTool({ name: 'echo', arguments: { message: 'carol' } })).content).toEqual([{ type: 'text', text: 'Echo: carol' }]);
    await carol.close();
    expect(tap.calledTools()).toContain('get-env');
    const calls = tap.calledTools().length;
    const dave = await connect(await idp.sign({ audience: AUDIENCE, claims: { sub: 'dave@acme', scope: 'tools:echo' } }));
    expect((await dave.listTools()).tools.map((t) => t.name)).toEqual(['echo']);
    await expect(dave.callTool({ name: 'get-env', arguments: {} })).rejects.toMatchObject({ code: -32001 });
    await dave.close();
    expect(tap.calledTools()).toHaveLength(calls);
  });

  it('accepts RS256, ES256 and EdDSA tokens and a scope claim given as an array', async () => {
    for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
      expect(await statusOf(`Bearer ${await idp.sign({ alg, audience: AUDIENCE })}`), alg).toBe(200);
    }
    const client = await connect(await idp.sign({ alg: 'ES256', audience: [AUDIENCE, 'x'], claims: { scope: ['tools:echo', 'tools:math'] } }));
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['echo', 'get-sum']);
    await client.close();
  });

  it('accepts an HS256 token signed with the provider\'s shared secret', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ sub: 'svc' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('https://hs.example')
      .setAudience(AUDIENCE).setExpirationTime(now + 60).sign(hmacSecret);
    expect(await statusOf(`Bearer ${token}`)).toBe(200);
  });

  it('records the JWT subject and method on the audit events of an allowed request', async () => {
    const traceId = randomBytes(16).toString('hex');
    const token = await idp.sign({ audience: AUDIENCE, claims: { sub: 'alice@acme', scope: 'tools:echo' } });
    const res = await request(mcpUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}`, traceparent: `00-${traceId}-${'1'.repeat(16)}-01` },
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    });
    await res.body.dump();
    const event = (await auditEvents()).find((e) => e.traceId === traceId);
    expect(event).toMatchObject({ kind: 'request', principal: { subject: 'alice@acme', via: 'jwt' } });
  });

  it('rejects each attack with 401, a reason, and an auth.failure audit event', async () => {
    const unsignedNone = `${base64url.encode('{"alg":"none","typ":"JWT"}')}.${base64url.encode(
      JSON.stringify({ iss: idp.issuer, aud: AUDIENCE, sub: 'mallory', exp: Math.floor(Date.now() / 1000) + 60 }),
    )}.`;
    const hsWithRsaPublicKey = (iss: string) =>
      new SignJWT({ sub: 'mallory' }).setProtectedHeader({ alg: 'HS256' }).setIssuer(iss).setAudience(AUDIENCE)
        .setExpirationTime(Math.floor(Date.now() / 1000) + 60).sign(new TextEncoder().encode(idp.rsaPublicKeyPem));
    const goodToken = await idp.sign({ audience: AUDIENCE });
    const [h, p] = goodToken.split('.');
    const cases: Array<[string | undefined, string]> = [
      [`Bearer ${unsignedNone}`, 'algorithm_not_allowed'],
      [`Bearer ${await hsWithRsaPublicKey(idp.issuer)}`, 'algorithm_not_allowed'],
      [`Bearer ${await hsWithRsaPublicKey('https://mixed.example')}`, 'bad_signature'],
      [`Bearer ${forgeKid(goodToken, 'no-such-kid')}`, 'unknown_key_id'],
      [`Bearer ${await idp.sign({ audience: AUDIENCE, expiresInS: -60 })}`, 'token_expired'],
      [`Bearer ${await idp.sign({ audience: AUDIENCE, notBeforeInS: 600 })}`, 'token_not_yet_valid'],
      [`Bearer ${await idp.sign({ audience: AUDIENCE, issuer: 'https://evil.example' })}`, 'unknown_issuer'],
      [`Bearer ${await idp.sign({ audience: 'someone-else' })}`, 'wrong_audience'],
      [`Bearer ${await otherTenantIdp.sign({ audience: AUDIENCE })}`, 'unknown_issuer'],
      [`Bearer ${h}.${p}.${'A'.repeat(17_000)}`, 'token_too_large'],
      [`Bearer ${h}.${p}.c2lnbmF0dXJl`, 'bad_signature'],
      ['Bearer a.b.c', 'malformed_token'],
      ['Bearer ###', 'malformed_token'],
      ['Bearer', 'unsupported_scheme'],
      ['Negotiate abc', 'unsupported_scheme'],
      [undefined, 'missing_credentials'],
    ];
    const audited: Array<[string, string]> = [];
    for (const [authorization, reason] of cases) audited.push([await expectRefused(authorization, reason), reason]);
    await expectAuditedFailures(audited);
    // …and everyone else is still served.
    expect(await statusOf(`Bearer ${dev.secret}`)).toBe(200);
    expect(await statusOf(`Bearer ${goodToken}`)).toBe(200);
  });

  it('accepts a token of another tenant\'s issuer only at that tenant', async () => {
    expect(await statusOf(`Bearer ${await otherTenantIdp.sign({ audience: AUDIENCE })}`, 'other')).toBe(200);
    await expectRefused(`Bearer ${await idp.sign({ audience: AUDIENCE })}`, 'unknown_issuer', 'other');
  });

  it('refuses tokens when the JWKS endpoint is down, slow or answers junk, and keeps serving', async () => {
    const audited: Array<[string, string]> = [];
    for (const broken of [downIdp, slowIdp, junkIdp]) {
      audited.push([await expectRefused(`Bearer ${await broken.sign({ audience: AUDIENCE })}`, 'jwks_unavailable'), 'jwks_unavailable']);
    }
    await expectAuditedFailures(audited);
    expect(await statusOf(`Bearer ${await idp.sign({ audience: AUDIENCE })}`)).toBe(200);
  });

  it('serves from the cached key set while the JWKS endpoint is down', async () => {
    expect(await statusOf(`Bearer ${await flakyIdp.sign({ audience: AUDIENCE })}`)).toBe(200);
    flakyIdp.jwksMode = 'down';
    await new Promise((r) => setTimeout(r, 200)); // past the cool-down, so a refetch is attempted (and fails)
    expect(await statusOf(`Bearer ${await flakyIdp.sign({ alg: 'EdDSA', audience: AUDIENCE })}`)).toBe(200);
    flakyIdp.jwksMode = 'ok';
  });

  it('refetches the JWKS for a rotated key, but at most once per cool-down for unknown kids', async () => {
    await statusOf(`Bearer ${await idp.sign({ audience: AUDIENCE })}`);
    const kid = await idp.rotate('ES256');
    await new Promise((r) => setTimeout(r, 200));
    expect(await statusOf(`Bearer ${await idp.sign({ kid, audience: AUDIENCE })}`)).toBe(200);
    const fetchesBefore = idp.jwksFetches;
    const good = await idp.sign({ audience: AUDIENCE });
    await Promise.all(Array.from({ length: 10 }, (_, i) => expectRefused(`Bearer ${forgeKid(good, `forged-${i}`)}`, 'unknown_key_id')));
    expect(idp.jwksFetches - fetchesBefore).toBeLessThanOrEqual(1);
  });
});

describe('OAuth 2.1 resource server', () => {
  it('accepts a JWT access token whose audience is this resource (RFC 8707) and rejects one for another resource', async () => {
    const client = await connect(await authServer.sign({ audience: mcpUrl(), claims: { scope: 'tools:math' } }));
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['get-sum']);
    await client.close();
    const traceId = await expectRefused(`Bearer ${await authServer.sign({ audience: `${proxy.url}/t/acme/elsewhere/mcp` })}`, 'wrong_audience');
    await expectAuditedFailures([[traceId, 'wrong_audience']]);
  });

  it('introspects opaque tokens (RFC 7662), caches active answers, and rejects inactive and foreign-audience ones', async () => {
    const exp = Math.floor(Date.now() / 1000) + 300;
    const token = authServer.issueOpaque({ sub: 'bob', aud: mcpUrl(), scope: 'tools:echo', exp, iss: authServer.issuer });
    const client = await connect(token);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo']);
    await client.close();
    const callsAfterSession = authServer.introspectionCalls;
    expect(await statusOf(`Bearer ${token}`)).toBe(200);
    expect(authServer.introspectionCalls).toBe(callsAfterSession);

    const audited: Array<[string, string]> = [];
    audited.push([await expectRefused(`Bearer ${randomBytes(24).toString('base64url')}`, 'token_inactive'), 'token_inactive']);
    const foreign = authServer.issueOpaque({ sub: 'bob', aud: 'https://other.example/mcp', exp });
    audited.push([await expectRefused(`Bearer ${foreign}`, 'wrong_audience'), 'wrong_audience']);
    await expectAuditedFailures(audited);
  });

  it('serves RFC 9728 protected-resource metadata naming the authorization server and scopes', async () => {
    const res = await request(`${proxy.url}/.well-known/oauth-protected-resource/t/acme/everything/mcp`);
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({
      resource: mcpUrl(),
      authorization_servers: [authServer.issuer],
      scopes_supported: ['tools:echo', 'tools:math'],
      bearer_methods_supported: ['header'],
      resource_name: 'acme/everything',
    });
    const unknown = await request(`${proxy.url}/.well-known/oauth-protected-resource/t/nobody/everything/mcp`);
    expect(unknown.statusCode).toBe(404);
    await unknown.body.dump();
  });

  it('never forwards the client\'s token to the upstream', () => {
    expect(tap.requests.length).toBeGreaterThan(0);
    for (const r of tap.requests) expect(r.headers.authorization).toBeUndefined();
  });
});

describe('API key lifecycle', () => {
  it('refuses an expired key and a key whose rotation overlap has ended, and accepts a key before its expiry', async () => {
    expect(await statusOf(`Bearer ${dev.secret}`)).toBe(200);
    const audited: Array<[string, string]> = [
      [await expectRefused(`Bearer ${expired.secret}`, 'expired_key'), 'expired_key'],
      [await expectRefused(`Bearer ${rotatedOut.secret}`, 'expired_key'), 'expired_key'],
    ];
    await expectAuditedFailures(audited);
  });
});

/** The same token with another `kid` in its header (the signature no longer matters: no key will be found). */
function forgeKid(token: string, kid: string): string {
  const [h, p, s] = token.split('.');
  const header = JSON.parse(Buffer.from(h!, 'base64url').toString());
  return [base64url.encode(JSON.stringify({ ...header, kid })), p, s].join('.');
}
