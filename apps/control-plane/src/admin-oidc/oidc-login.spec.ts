import { freePort, startOidcProvider, type OidcProvider } from '@mcpg/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadControlPlaneConfig, ControlPlaneConfigError } from '../config.js';
import { ControlPlaneHarness } from '../testing/control-plane-harness.js';
import { mapGroupsToRoles } from './oidc-role-map.js';

interface LoginResult {
  status: number;
  body: { token?: string; subject?: string; isPlatformAdmin?: boolean; tenants?: Array<{ slug: string; role: string }>; detail?: string };
}

describe('OIDC admin login (authorization code + PKCE) against a local OIDC provider', () => {
  let cp: ControlPlaneHarness;
  let idp: OidcProvider;
  let base: string;
  const clientSecret = 'control-plane-client-secret';

  beforeAll(async () => {
    cp = await ControlPlaneHarness.start('cp_oidc');
    await cp.createTenant('acme');
    await cp.createTenant('globex');
    // The redirect URI is registered at the IdP, so the control plane's port is chosen first.
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    idp = await startOidcProvider({
      clients: [{ clientId: 'mcp-guard', clientSecret, redirectUris: [`${base}/auth/oidc/callback`] }],
      user: { sub: 'alice', claims: { email: 'alice@example.com', groups: ['acme-ops', 'globex-audit', 'unrelated'] } },
    });
    await cp.stopApp(cp.currentApp!);
    await cp.startApp({
      port,
      oidc: {
        issuer: idp.issuer,
        clientId: 'mcp-guard',
        clientSecret,
        redirectUri: `${base}/auth/oidc/callback`,
        scopes: 'openid email groups',
        groupsClaim: 'groups',
        roleMap: { 'mcpg-platform': 'PLATFORM_ADMIN', 'acme-ops': 'TENANT_ADMIN:acme', 'globex-audit': 'TENANT_VIEWER:globex' },
        isHttpAllowed: true,
        sessionTtlSeconds: 3600,
      },
    });
  });
  afterAll(async () => {
    await cp?.close();
    await idp?.close();
  });

  /** Follows the browser's path: control plane → IdP /authorize → back to the callback. */
  async function login(tamper?: (callback: URL) => void): Promise<LoginResult> {
    const start = await fetch(`${base}/auth/oidc/login`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.origin).toBe(idp.issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    const atIdp = await fetch(authorize, { redirect: 'manual' });
    expect(atIdp.status).toBe(302);
    const callback = new URL(atIdp.headers.get('location')!);
    tamper?.(callback);
    const done = await fetch(callback, { redirect: 'manual' });
    return { status: done.status, body: (await done.json()) as LoginResult['body'] };
  }

  it('logs an admin in and maps its groups to roles; the session token works on the GraphQL API', async () => {
    const { status, body } = await login();
    expect(status).toBe(200);
    expect(body).toMatchObject({
      subject: 'oidc:alice',
      isPlatformAdmin: false,
      tenants: expect.arrayContaining([
        { slug: 'acme', role: 'admin' },
        { slug: 'globex', role: 'viewer' },
      ]),
    });
    expect(body.token).toMatch(/^mcpgs_/);
    type Me = { me: { via: string; subject: string; tenants: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: Array<{ role: string }> } } };
    const ME = 'query($after: String) { me { via subject tenants(first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { role } } } }';
    const me = await cp.ok<Me>(ME, {}, body.token!);
    expect(me.me).toMatchObject({ via: 'oidc', subject: 'oidc:alice', tenants: { totalCount: 2, pageInfo: { hasNextPage: true } } });
    const rest = await cp.ok<Me>(ME, { after: me.me.tenants.pageInfo.endCursor }, body.token!);
    expect(rest.me.tenants.pageInfo.hasNextPage).toBe(false);
    expect([...me.me.tenants.nodes, ...rest.me.tenants.nodes].map((t) => t.role).sort()).toEqual(['TENANT_ADMIN', 'TENANT_VIEWER']);
    const { tenants } = await cp.ok<{ tenants: { nodes: Array<{ slug: string }> } }>('{ tenants { nodes { slug } } }', {}, body.token!);
    expect(tenants.nodes.map((t) => t.slug).sort()).toEqual(['acme', 'globex']);
    // Viewer of globex: writes there are FORBIDDEN; admin of acme: allowed.
    const globexId = (await cp.prisma.tenant.findUniqueOrThrow({ where: { slug: 'globex' } })).id;
    const refused = await cp.graphql('mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }', { i: { tenantId: globexId, name: 'x' } }, body.token!);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // Only the hash is stored.
    expect(JSON.stringify(await cp.prisma.adminSession.findMany())).not.toContain(body.token!.slice(6));
  });

  it('makes a member of the platform group a platform admin', async () => {
    idp.nextUser = { sub: 'root', claims: { groups: ['mcpg-platform'] } };
    const { status, body } = await login();
    expect(status).toBe(200);
    expect(body.isPlatformAdmin).toBe(true);
    const created = await cp.graphql('mutation { createTenant(input: { slug: "initech", name: "Initech" }) { id } }', {}, body.token!);
    expect(created.errors).toBeUndefined();
  });

  it('refuses a user whose groups map to no role with 403, and creates no session', async () => {
    idp.nextUser = { sub: 'mallory', claims: { groups: ['everyone'] } };
    const before = await cp.prisma.adminSession.count();
    const { status } = await login();
    expect(status).toBe(403);
    expect(await cp.prisma.adminSession.count()).toBe(before);
  });

  it('refuses a callback with an unknown state, a replayed one, or a code the IdP did not issue', async () => {
    idp.nextUser = { sub: 'alice', claims: { groups: ['acme-ops'] } };
    expect((await login((cb) => cb.searchParams.set('state', 'forged'))).status).toBe(400);
    let replay: URL | undefined;
    expect((await login((cb) => (replay = new URL(cb)))).status).toBe(200);
    expect((await fetch(replay!, { redirect: 'manual' })).status).toBe(400);
    expect((await login((cb) => cb.searchParams.set('code', 'not-a-code'))).status).toBe(401);
  });

  it('rejects a session token once it expires', async () => {
    idp.nextUser = { sub: 'alice', claims: { groups: ['acme-ops'] } };
    const { body } = await login();
    expect((await cp.graphql('{ me { subject } }', {}, body.token!)).status).toBe(200);
    await cp.prisma.adminSession.updateMany({ where: { subject: 'oidc:alice' }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await cp.graphql('{ me { subject } }', {}, body.token!)).status).toBe(401);
  });

  it('logs out: the session token stops working; other credentials cannot log out', async () => {
    idp.nextUser = { sub: 'alice', claims: { groups: ['acme-ops'] } };
    const { body } = await login();
    expect(await cp.ok<{ logout: boolean }>('mutation { logout }', {}, body.token!)).toEqual({ logout: true });
    expect((await cp.graphql('{ me { subject } }', {}, body.token!)).status).toBe(401);
    const withBootstrap = await cp.graphql('mutation { logout }');
    expect(withBootstrap.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'authorization' });
    await expect.poll(async () => (await cp.auditEvents()).some((e) => e.change?.action === 'logout' && e.principal?.subject === 'oidc:alice')).toBe(true);
  });

  it('maps groups, admin beating viewer for the same tenant', () => {
    const roles = mapGroupsToRoles({ a: 'TENANT_VIEWER:acme', b: 'TENANT_ADMIN:acme' }, ['a', 'b', 'a']);
    expect([...roles.tenantSlugs]).toEqual([['acme', 'admin']]);
  });

  it('requires client id, redirect URI and role map once an issuer is set, and checks the role map', () => {
    const env = { DATABASE_URL: 'postgresql://x@127.0.0.1/db', MCPG_SNAPSHOT_SIGNING_KEY: '-----BEGIN PRIVATE KEY-----x', MCPG_ADMIN_OIDC_ISSUER: 'https://idp.example.com' };
    expect(() => loadControlPlaneConfig(env)).toThrow(ControlPlaneConfigError);
    expect(() =>
      loadControlPlaneConfig({ ...env, MCPG_ADMIN_OIDC_CLIENT_ID: 'c', MCPG_ADMIN_OIDC_REDIRECT_URI: 'https://cp/auth/oidc/callback', MCPG_ADMIN_OIDC_ROLE_MAP: '{"g":"ROOT"}' }),
    ).toThrow(/MCPG_ADMIN_OIDC_ROLE_MAP/);
    const ok = loadControlPlaneConfig({ ...env, MCPG_ADMIN_OIDC_CLIENT_ID: 'c', MCPG_ADMIN_OIDC_REDIRECT_URI: 'https://cp/auth/oidc/callback', MCPG_ADMIN_OIDC_ROLE_MAP: '{"g":"TENANT_ADMIN:acme"}' });
    expect(ok.oidc).toMatchObject({ issuer: 'https://idp.example.com', groupsClaim: 'groups', isHttpAllowed: false, roleMap: { g: 'TENANT_ADMIN:acme' } });
  });
});
