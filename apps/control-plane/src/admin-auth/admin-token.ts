import { createHash, timingSafeEqual } from 'node:crypto';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * Checks `Authorization: Bearer <token>` against the bootstrap admin token. Both sides are
 * hashed first so the comparison is constant-time and independent of the token's length.
 */
export class AdminTokenVerifier {
  private readonly expectedDigest: Buffer;

  constructor(adminToken: string) {
    this.expectedDigest = sha256(adminToken);
  }

  isAuthorized(authorizationHeader: string | undefined): boolean {
    const match = authorizationHeader ? BEARER.exec(authorizationHeader) : null;
    if (!match?.[1]) return false;
    return timingSafeEqual(sha256(match[1]), this.expectedDigest);
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
