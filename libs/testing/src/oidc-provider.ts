import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/**
 * An OpenID Connect provider for tests, faithful to the parts a relying party uses for the
 * authorization-code flow with PKCE (OpenID Connect Core 1.0 §3.1, RFC 7636, RFC 8414 discovery):
 *
 * - `GET /.well-known/openid-configuration` (discovery), `GET /jwks` (RS256 public key);
 * - `GET /authorize`: checks client_id, exact redirect_uri, `response_type=code`, `openid` scope
 *   and an S256 `code_challenge`, then "logs in" `nextUser` (no login page) and redirects back
 *   with a one-time `code` and the `state`, or with `error=…` as §3.1.2.6 says;
 * - `POST /token`: client authentication (`client_secret_basic` or `_post`), the code (once,
 *   unexpired, same client and redirect_uri), the PKCE verifier; answers an access token and an
 *   RS256 ID token with iss, sub, aud, exp, iat, nonce and the user's extra claims (e.g. groups).
 */
export interface OidcUser {
  sub: string;
  claims?: Record<string, unknown>;
}

export interface OidcClient {
  clientId: string;
  clientSecret: string;
  redirectUris: readonly string[];
}

export interface OidcProvider {
  /** The issuer, e.g. `http://127.0.0.1:41234`; discovery is at `/.well-known/openid-configuration`. */
  readonly issuer: string;
  /** The user the next `/authorize` request logs in. */
  nextUser: OidcUser;
  /** Token requests answered, successful or not. */
  readonly tokenRequests: number;
  close(): Promise<void>;
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  nonce: string | undefined;
  user: OidcUser;
  expiresAt: number;
}

const CODE_TTL_MS = 60_000;

export async function startOidcProvider(options: { clients: readonly OidcClient[]; user: OidcUser }): Promise<OidcProvider> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = randomBytes(8).toString('hex');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const codes = new Map<string, IssuedCode>();
  let issuer = '';
  let tokenRequests = 0;
  const state = { nextUser: options.user };

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => json(res, 500, { error: 'server_error' }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', issuer);
    if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
      json(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        scopes_supported: ['openid', 'profile', 'email', 'groups'],
      });
    } else if (req.method === 'GET' && url.pathname === '/jwks') {
      json(res, 200, { keys: [jwk] });
    } else if (req.method === 'GET' && url.pathname === '/authorize') {
      authorize(url, res);
    } else if (req.method === 'POST' && url.pathname === '/token') {
      tokenRequests++;
      await token(req, res);
    } else {
      json(res, 404, { error: 'not_found' });
    }
  }

  function authorize(url: URL, res: ServerResponse): void {
    const p = url.searchParams;
    const client = options.clients.find((c) => c.clientId === p.get('client_id'));
    const redirectUri = p.get('redirect_uri') ?? '';
    // Without a known client and registered redirect URI, the error must not be redirected (§3.1.2.6).
    if (!client || !client.redirectUris.includes(redirectUri)) {
      json(res, 400, { error: 'invalid_request', error_description: 'unknown client or redirect_uri' });
      return;
    }
    const back = new URL(redirectUri);
    const fail = (error: string) => {
      back.searchParams.set('error', error);
      if (p.get('state')) back.searchParams.set('state', p.get('state')!);
      redirect(res, back);
    };
    if (p.get('response_type') !== 'code') return fail('unsupported_response_type');
    if (!(p.get('scope') ?? '').split(' ').includes('openid')) return fail('invalid_scope');
    if (p.get('code_challenge_method') !== 'S256' || !p.get('code_challenge')) return fail('invalid_request');
    const code = randomBytes(24).toString('base64url');
    codes.set(code, {
      clientId: client.clientId,
      redirectUri,
      codeChallenge: p.get('code_challenge')!,
      nonce: p.get('nonce') ?? undefined,
      user: state.nextUser,
      expiresAt: Date.now() + CODE_TTL_MS,
    });
    back.searchParams.set('code', code);
    if (p.get('state')) back.searchParams.set('state', p.get('state')!);
    redirect(res, back);
  }

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const client = authenticateClient(req, form);
    if (!client) {
      json(res, 401, { error: 'invalid_client' }, { 'www-authenticate': 'Basic realm="oidc"' });
      return;
    }
    if (form.get('grant_type') !== 'authorization_code') return json(res, 400, { error: 'unsupported_grant_type' });
    const code = form.get('code') ?? '';
    const issued = codes.get(code);
    codes.delete(code); // one use only, even when this request fails
    const verifier = form.get('code_verifier') ?? '';
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    if (
      !issued ||
      issued.expiresAt < Date.now() ||
      issued.clientId !== client.clientId ||
      issued.redirectUri !== form.get('redirect_uri') ||
      challenge !== issued.codeChallenge
    ) {
      return json(res, 400, { error: 'invalid_grant' });
    }
    const now = Math.floor(Date.now() / 1000);
    const idToken = await new SignJWT({ ...issued.user.claims, ...(issued.nonce ? { nonce: issued.nonce } : {}) })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setSubject(issued.user.sub)
      .setAudience(client.clientId)
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(privateKey as CryptoKey);
    json(res, 200, { access_token: randomBytes(24).toString('base64url'), token_type: 'Bearer', expires_in: 300, id_token: idToken, scope: 'openid' });
  }

  function authenticateClient(req: IncomingMessage, form: URLSearchParams): OidcClient | undefined {
    let id = form.get('client_id');
    let secret = form.get('client_secret');
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    if (basic) {
      // RFC 6749 §2.3.1: id and secret are form-urlencoded before base64.
      const [rawId, rawSecret] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
      id = decodeURIComponent(rawId ?? '');
      secret = decodeURIComponent(rawSecret ?? '');
    }
    const client = options.clients.find((c) => c.clientId === id);
    return client && client.clientSecret === secret ? client : undefined;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    get issuer() {
      return issuer;
    },
    get nextUser() {
      return state.nextUser;
    },
    set nextUser(user: OidcUser) {
      state.nextUser = user;
    },
    get tokenRequests() {
      return tokenRequests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

function redirect(res: ServerResponse, location: URL): void {
  res.writeHead(302, { location: location.toString() });
  res.end();
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
