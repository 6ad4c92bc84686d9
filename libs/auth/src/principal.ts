/** Who a verified request acts for (DESIGN.md §5). Later issues add jwt, oauth and mtls. */
export interface Principal {
  readonly tenantId: string;
  readonly subject: string;
  readonly via: 'apikey';
  readonly scopes: readonly string[];
  readonly keyId?: string;
}

export type AuthFailureReason =
  | 'missing_credentials'
  | 'unsupported_scheme'
  | 'malformed_key'
  | 'unknown_key'
  | 'revoked_key';

/** Errors are values with codes; the proxy maps them to 401 + WWW-Authenticate once, at the edge. */
export class AuthError extends Error {
  constructor(readonly reason: AuthFailureReason) {
    super(reason);
  }
}
