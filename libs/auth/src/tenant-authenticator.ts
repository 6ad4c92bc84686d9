import type { IdentityProviderConfig } from '@mcpg/policy';
import { createHash, type X509Certificate } from 'node:crypto';
import { API_KEY_PREFIX } from './api-key-format.js';
import { authenticateApiKeyToken, type ApiKeyRecord } from './authenticate-api-key.js';
import { bearerTokenOf, MAX_BEARER_TOKEN_BYTES } from './bearer-token.js';
import { parseCrlBundle, type CertificateRevocationList } from './certificate-revocation-list.js';
import { certificateIdentity, parseCaBundle, verifyClientCertificate } from './client-certificate.js';
import { looksLikeJwt, parseCompactJwt } from './compact-jwt.js';
import type { JwksCache } from './jwks-cache.js';
import { JwkKeySet } from './jwk-key-set.js';
import { JwtVerifier, unverifiedIssuerOf } from './jwt-verifier.js';
import { AuthError, type Principal } from './principal.js';
import { scopesOf, subjectOf } from './token-claims.js';
import type { TokenIntrospector } from './token-introspection.js';

/**
 * A JWT that verified is remembered (by its exact bytes, signature included, and the resource it
 * was checked for) for at most this long and never past its `exp`: clients send the same token on
 * every request of a session, and re-checking an ES256/EdDSA signature costs ~0.1 ms. It also
 * bounds how long a token stays accepted after its key is withdrawn from the JWKS.
 */
export const VERIFIED_TOKEN_TTL_MS = 60_000;
const MAX_VERIFIED_TOKENS = 10_000;

/** What one tenant's snapshot says about who may connect. */
export interface TenantCredentials<K extends ApiKeyRecord> {
  readonly tenantId: string;
  readonly keysByHash: ReadonlyMap<string, K>;
  /** In the order they are tried. */
  readonly identityProviders: readonly IdentityProviderConfig[];
}

export interface AuthenticatorServices {
  readonly jwks: JwksCache;
  readonly introspector: TokenIntrospector;
}

export interface Authenticated<K> {
  readonly principal: Principal;
  /** The API key record when the credential was a key. */
  readonly apiKey: K | null;
}

/**
 * Audiences a token must name (one of) to be accepted for `resourceUrl` (this MCP server behind
 * the proxy). JWT providers list theirs; OAuth authorization servers must bind the token to this
 * resource (RFC 8707), except where a provider profile says the IdP cannot.
 */
export function acceptedAudiences(provider: IdentityProviderConfig, resourceUrl: string): string[] {
  if (provider.kind === 'jwt') return [...provider.audiences];
  switch (provider.profile) {
    case 'audience-is-client-id':
      return [...provider.audiences];
    case 'no-resource-parameter':
      return [resourceUrl, ...provider.audiences];
    default:
      return [resourceUrl];
  }
}

/**
 * Authenticates a bearer credential against one tenant: API keys (recognised by their prefix),
 * then each identity provider in order. A JWT is recognised by the provider whose issuer it names;
 * an opaque token by the first provider with introspection. The provider that recognises a
 * credential decides: if it rejects it, that is the answer (no fall-through to the next one).
 * Built once per snapshot version; per request only the token is parsed and checked.
 */
export class TenantAuthenticator<K extends ApiKeyRecord> {
  private readonly verifiers = new Map<string, JwtVerifier>();
  private readonly introspecting: IdentityProviderConfig | undefined;
  private readonly clientCas: Array<{ provider: IdentityProviderConfig; trusted: X509Certificate[]; crls: CertificateRevocationList[] }> = [];
  private readonly verifiedTokens = new Map<string, { principal: Principal; untilMs: number }>();
  /** Providers whose configured keys could not be loaded; the proxy logs them once per snapshot. */
  readonly unusableProviders: Array<{ providerId: string; error: string }> = [];

  constructor(
    private readonly tenant: TenantCredentials<K>,
    private readonly services: AuthenticatorServices,
  ) {
    for (const provider of tenant.identityProviders) {
      // Keys were validated when saved; should one still not parse, that provider alone is left
      // out (its tokens are refused) rather than the tenant's whole authentication failing.
      try {
        if (provider.kind === 'mtls') {
          if (provider.clientCa) {
            const trusted = parseCaBundle(provider.clientCa.caBundlePem);
            // A CRL that no longer parses leaves the provider out (refusing its certificates) rather than unchecked.
            const crls = provider.clientCa.crlPem ? parseCrlBundle(provider.clientCa.crlPem, trusted) : [];
            this.clientCas.push({ provider, trusted, crls });
          }
          continue;
        }
        const inline = provider.jwks && provider.jwks.keys.length > 0 ? new JwkKeySet(provider.jwks) : null;
        if (inline && inline.size === 0) throw new Error(`no usable inline key: ${inline.skipped.map((k) => k.reason).join('; ')}`);
        const canVerifyLocally = provider.jwksUri !== null || inline !== null || provider.hmacSecret !== null;
        // First provider per issuer wins, as the order promises.
        if (canVerifyLocally && !this.verifiers.has(provider.issuer)) this.verifiers.set(provider.issuer, new JwtVerifier(provider, services.jwks, inline));
      } catch (err) {
        this.unusableProviders.push({ providerId: provider.id, error: (err as Error).message });
      }
    }
    this.introspecting = tenant.identityProviders.find((p) => p.kind === 'oauth' && p.introspection !== null);
  }

  /** Whether this tenant accepts client certificates (so the proxy should look for one). */
  get acceptsClientCertificates(): boolean {
    return this.clientCas.length > 0;
  }

  /**
   * A bearer credential, when sent, decides; otherwise a verified client certificate (native TLS
   * or forwarded by a trusted reverse proxy) whose chain leads to one of the tenant's client CAs.
   */
  async authenticate(
    authorization: string | undefined,
    resourceUrl: string,
    nowMs: number = Date.now(),
    clientCertificateChain: readonly X509Certificate[] | null = null,
  ): Promise<Authenticated<K>> {
    if (!authorization && clientCertificateChain && clientCertificateChain.length > 0 && this.acceptsClientCertificates) {
      return { principal: this.authenticateCertificate(clientCertificateChain, nowMs), apiKey: null };
    }
    const token = bearerTokenOf(authorization);
    if (token.length > MAX_BEARER_TOKEN_BYTES) throw new AuthError('token_too_large');
    if (token.startsWith(API_KEY_PREFIX)) {
      const { principal, record } = authenticateApiKeyToken(token, this.tenant.tenantId, this.tenant.keysByHash, nowMs);
      return { principal, apiKey: record };
    }
    if (looksLikeJwt(token)) {
      // The resource is part of the key: an OAuth token accepted for one server says nothing about
      // another. Hashed, so memory stays bounded whatever the tokens' size.
      const cacheKey = createHash('sha256').update(resourceUrl).update('\u0000').update(token).digest('base64url');
      const hit = this.verifiedTokens.get(cacheKey);
      if (hit && nowMs < hit.untilMs) return { principal: hit.principal, apiKey: null };
      const jwt = parseCompactJwt(token);
      const issuer = unverifiedIssuerOf(jwt);
      const verifier = issuer === null ? undefined : this.verifiers.get(issuer);
      if (verifier) {
        const claims = await verifier.verify(jwt, acceptedAudiences(verifier.provider, resourceUrl), nowMs);
        const principal = this.principalOf(verifier.provider, claims);
        const expiresAtMs = claims.exp * 1000 + verifier.provider.clockSkewSeconds * 1000;
        this.rememberVerified(cacheKey, principal, Math.min(expiresAtMs, nowMs + VERIFIED_TOKEN_TTL_MS));
        return { principal, apiKey: null };
      }
      // A JWT of an issuer that only offers introspection goes there; any other issuer's token is
      // refused here rather than shown to this tenant's authorization server.
      if (!this.introspecting || issuer !== this.introspecting.issuer) {
        throw new AuthError(this.tenant.identityProviders.length > 0 ? 'unknown_issuer' : 'malformed_key');
      }
    }
    if (!this.introspecting) throw new AuthError('malformed_key');
    return { principal: await this.introspect(this.introspecting, token, resourceUrl, nowMs), apiKey: null };
  }

  private rememberVerified(cacheKey: string, principal: Principal, untilMs: number): void {
    if (this.verifiedTokens.size >= MAX_VERIFIED_TOKENS) {
      // Maps iterate in insertion order: drop the oldest.
      const oldest = this.verifiedTokens.keys().next();
      if (!oldest.done) this.verifiedTokens.delete(oldest.value);
    }
    this.verifiedTokens.set(cacheKey, { principal, untilMs });
  }

  /** The first client CA (in provider order) that the chain leads to decides the identity. */
  private authenticateCertificate(chain: readonly X509Certificate[], nowMs: number): Principal {
    let failure: AuthError = new AuthError('certificate_untrusted');
    for (const { provider, trusted, crls } of this.clientCas) {
      try {
        const leaf = verifyClientCertificate(chain, trusted, nowMs, crls);
        const subject = certificateIdentity(leaf, provider.clientCa!.identityFrom);
        // The identity doubles as a scope (`mtls:<identity>`) so scope rules can grant tools to a certificate.
        return { tenantId: this.tenant.tenantId, subject, via: 'mtls', scopes: [`mtls:${subject}`], providerId: provider.id };
      } catch (err) {
        if (!(err instanceof AuthError)) throw err;
        // An expired or identity-less certificate from a trusted CA says more than "untrusted".
        if (err.reason !== 'certificate_untrusted') throw err;
        failure = err;
      }
    }
    throw failure;
  }

  private async introspect(provider: IdentityProviderConfig, token: string, resourceUrl: string, nowMs: number): Promise<Principal> {
    const claims = await this.services.introspector.introspect(provider.introspection!, token, nowMs);
    const skewMs = provider.clockSkewSeconds * 1000;
    if (typeof claims.exp === 'number' && claims.exp * 1000 + skewMs <= nowMs) throw new AuthError('token_expired');
    if (typeof claims.nbf === 'number' && claims.nbf * 1000 - skewMs > nowMs) throw new AuthError('token_not_yet_valid');
    if (claims.iss !== undefined && claims.iss !== provider.issuer) throw new AuthError('wrong_issuer');
    const aud = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
    const accepted = acceptedAudiences(provider, resourceUrl);
    if (!aud.some((a) => accepted.includes(a as string))) throw new AuthError('wrong_audience');
    return this.principalOf(provider, claims);
  }

  private principalOf(provider: IdentityProviderConfig, claims: Readonly<Record<string, unknown>>): Principal {
    const subject = subjectOf(claims, provider.subjectClaim);
    if (subject === null) throw new AuthError('missing_subject');
    return {
      tenantId: this.tenant.tenantId,
      subject,
      via: provider.kind,
      scopes: scopesOf(claims, provider.scopeClaim),
      providerId: provider.id,
    };
  }
}
