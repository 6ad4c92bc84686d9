import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export type IssuerAlgorithm = 'RS256' | 'ES256' | 'EdDSA';

/** How the JWKS endpoint behaves, so tests can take the IdP down, slow it, or make it talk junk. */
export type JwksMode = 'ok' | 'down' | 'slow' | 'junk';

export interface IssuedToken {
  readonly token: string;
  readonly payload: JWTPayload;
}

export interface SignOptions {
  readonly alg?: IssuerAlgorithm;
  readonly kid?: string;
  readonly claims?: JWTPayload;
  /** Seconds from now; negative for an expired token. Default 300. */
  readonly expiresInS?: number;
  readonly notBeforeInS?: number;
  readonly issuer?: string;
  readonly audience?: string | string[];
}

export interface TokenIssuer {
  /** `iss` of tokens this issuer signs. */
  readonly issuer: string;
  readonly jwksUri: string;
  readonly introspectionUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The RSA public key as SPKI PEM, for the "HS256 with the RSA public key" attack. */
  readonly rsaPublicKeyPem: string;
  jwksMode: JwksMode;
  /** Requests the JWKS endpoint has received. */
  jwksFetches: number;
  introspectionCalls: number;
  sign(options?: SignOptions): Promise<string>;
  /** Publishes a fresh key under a new kid (old keys stay published); returns the kid. */
  rotate(alg?: IssuerAlgorithm): Promise<string>;
  /** Opaque tokens known to the introspection endpoint; the claims are returned with `active: true`. */
  issueOpaque(claims: Record<string, unknown>): string;
  revokeOpaque(token: string): void;
  close(): Promise<void>;
}

interface SigningKey {
  kid: string;
  alg: IssuerAlgorithm;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function makeKey(alg: IssuerAlgorithm, kid = `${alg.toLowerCase()}-${randomUUID().slice(0, 8)}`): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk };
}

/**
 * A real, local token issuer for tests: a JWKS endpoint (RFC 7517) with RS256, ES256 and EdDSA
 * keys made with jose, and an RFC 7662 introspection endpoint requiring client authentication
 * (HTTP Basic). Tokens are signed exactly as an IdP would sign them.
 */
export async function startTokenIssuer(): Promise<TokenIssuer> {
  const keys: SigningKey[] = await Promise.all([makeKey('RS256'), makeKey('ES256'), makeKey('EdDSA')]);
  const rsa = keys[0]!;
  const opaque = new Map<string, Record<string, unknown>>();
  const clientId = 'mcpg-proxy';
  const clientSecret = randomBytes(16).toString('hex');

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/jwks.json' && req.method === 'GET') {
      issuer.jwksFetches++;
      switch (issuer.jwksMode) {
        case 'down':
          res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
          return;
        case 'slow':
          // Never answers within any sane timeout; the socket closes with the server.
          return;
        case 'junk':
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": "not a key set"}');
          return;
        default:
          res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: keys.map((k) => k.publicJwk) }));
          return;
      }
    }
    if (path === '/introspect' && req.method === 'POST') {
      issuer.introspectionCalls++;
      const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic' }).end('{"error":"invalid_client"}');
        return;
      }
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const claims = opaque.get(form.get('token') ?? '');
      const body = claims ? { active: true, ...claims } : { active: false };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    res.writeHead(404).end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer: TokenIssuer = {
    issuer: base,
    jwksUri: `${base}/jwks.json`,
    introspectionUrl: `${base}/introspect`,
    clientId,
    clientSecret,
    rsaPublicKeyPem: await exportSPKI((await importJWK(rsa.publicJwk, rsa.alg)) as CryptoKey),
    jwksMode: 'ok',
    jwksFetches: 0,
    introspectionCalls: 0,
    async sign(options: SignOptions = {}) {
      const alg = options.alg ?? 'RS256';
      const key = options.kid ? keys.find((k) => k.kid === options.kid) : [...keys].reverse().find((k) => k.alg === alg);
      if (!key) throw new Error(`no ${alg} key ${options.kid ?? ''}`);
      const now = Math.floor(Date.now() / 1000);
      let jwt = new SignJWT({ sub: 'user-1', ...options.claims })
        .setProtectedHeader({ alg: key.alg, kid: options.kid ?? key.kid, typ: 'JWT' })
        .setIssuer(options.issuer ?? base)
        .setIssuedAt(now)
        .setExpirationTime(now + (options.expiresInS ?? 300));
      if (options.audience !== undefined) jwt = jwt.setAudience(options.audience);
      if (options.notBeforeInS !== undefined) jwt = jwt.setNotBefore(now + options.notBeforeInS);
      return jwt.sign(key.privateKey);
    },
    async rotate(alg: IssuerAlgorithm = 'RS256') {
      const key = await makeKey(alg);
      keys.push(key);
      return key.kid;
    },
    issueOpaque(claims) {
      const token = randomBytes(24).toString('base64url');
      opaque.set(token, claims);
      return token;
    },
    revokeOpaque(token) {
      opaque.delete(token);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return issuer;
}
