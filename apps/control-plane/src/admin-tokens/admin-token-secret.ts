import { createHash, randomBytes } from 'node:crypto';

/** Admin API tokens: `mcpga_` + 32 random bytes (base64url). The prefix lets secret scanners find leaks. */
export const ADMIN_TOKEN_PREFIX = 'mcpga_';
const ADMIN_TOKEN = /^mcpga_[A-Za-z0-9_-]{43}$/;

export interface NewAdminTokenSecret {
  readonly secret: string;
  readonly prefix: string;
  readonly hash: string;
}

export function generateAdminTokenSecret(): NewAdminTokenSecret {
  const secret = ADMIN_TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return { secret, prefix: secret.slice(0, ADMIN_TOKEN_PREFIX.length + 6), hash: hashAdminToken(secret) };
}

export function isAdminTokenFormat(candidate: string): boolean {
  return ADMIN_TOKEN.test(candidate);
}

/**
 * SHA-256 is enough: 256 random bits leave nothing to brute-force, and lookup by the hash
 * (a unique index) does not compare secrets byte by byte, so it leaks no timing about them.
 */
export function hashAdminToken(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
