import { AuthError } from './principal.js';

/** Larger bearer tokens are refused unread: no IdP issues them, and parsing them costs CPU. */
export const MAX_BEARER_TOKEN_BYTES = 16 * 1024;

/** RFC 6750 §2.1 b64token: the only characters a bearer credential may contain. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** The credential from `Authorization: Bearer …`, or an AuthError naming why there is none. */
export function bearerTokenOf(authorization: string | undefined): string {
  if (!authorization) throw new AuthError('missing_credentials');
  if (authorization.length > MAX_BEARER_TOKEN_BYTES + 16) throw new AuthError('token_too_large');
  if (!/^Bearer /i.test(authorization)) throw new AuthError('unsupported_scheme');
  const match = BEARER.exec(authorization);
  if (!match) throw new AuthError('malformed_token');
  return match[1]!;
}
