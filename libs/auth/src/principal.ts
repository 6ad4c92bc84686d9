/** How a principal proved who it is (DESIGN.md §5). */
export type AuthMethod = 'apikey' | 'jwt' | 'oauth' | 'mtls';

/** Who a verified request acts for (DESIGN.md §5). */
export interface Principal {
  readonly tenantId: string;
  /** `apikey:{id}` for keys; the token's subject claim for JWT and OAuth. */
  readonly subject: string;
  readonly via: AuthMethod;
  readonly scopes: readonly string[];
  readonly keyId?: string;
  /** The identity provider that vouched for a token. */
  readonly providerId?: string;
}

/**
 * One string per distinct principal of a tenant, for per-identity state such as rate limits.
 * The subject alone is not enough: a JWT may carry `sub: "apikey:…"`, and two providers may both
 * have a user "alice"; neither may drain another principal's budget.
 */
export function principalKey(principal: Principal): string {
  return `${principal.tenantId}|${principal.via}|${principal.providerId ?? ''}|${principal.subject}`;
}

export type AuthFailureReason =
  | 'missing_credentials'
  | 'unsupported_scheme'
  | 'malformed_key'
  | 'unknown_key'
  | 'revoked_key'
  | 'expired_key'
  | 'token_too_large'
  | 'malformed_token'
  | 'unknown_issuer'
  | 'algorithm_not_allowed'
  | 'unknown_key_id'
  | 'bad_signature'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'invalid_claims'
  | 'missing_subject'
  | 'jwks_unavailable'
  | 'token_inactive'
  | 'introspection_unavailable'
  | 'certificate_untrusted'
  | 'certificate_expired'
  | 'certificate_revoked'
  | 'certificate_revocation_unknown'
  | 'certificate_without_identity';

/** Errors are values with codes; the proxy maps them to 401 + WWW-Authenticate once, at the edge. */
export class AuthError extends Error {
  constructor(readonly reason: AuthFailureReason) {
    super(reason);
  }
}
