import { createHash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { BASE62_CHARS, encodeBase62, encodeBase62Number } from './base62.js';

/**
 * API key format (DESIGN.md §5): `mcpg_` + 32 random bytes in base62 (43 chars, zero-padded)
 * + CRC32 of that body in base62 (6 chars). The fixed prefix and checksum let secret scanners
 * find leaked keys, and let the proxy reject a mistyped key before any lookup.
 */
export const API_KEY_PREFIX = 'mcpg_';
const BODY_LENGTH = 43;
const CHECKSUM_LENGTH = 6;
export const API_KEY_LENGTH = API_KEY_PREFIX.length + BODY_LENGTH + CHECKSUM_LENGTH;
/** How much of a key is shown in listings: enough to recognise, far too little to use. */
const DISPLAY_PREFIX_LENGTH = API_KEY_PREFIX.length + 6;

export interface NewApiKey {
  /** The full key. Shown once to its creator, never stored. */
  readonly secret: string;
  readonly prefix: string;
  readonly hash: string;
}

function checksumOf(body: string): string {
  return encodeBase62Number(crc32(body), CHECKSUM_LENGTH);
}

export function generateApiKey(): NewApiKey {
  const body = encodeBase62(randomBytes(32), BODY_LENGTH);
  const secret = API_KEY_PREFIX + body + checksumOf(body);
  return { secret, prefix: displayPrefixOf(secret), hash: hashApiKey(secret) };
}

export function displayPrefixOf(secret: string): string {
  return secret.slice(0, DISPLAY_PREFIX_LENGTH);
}

/** SHA-256 is enough here: keys carry 190 bits of entropy, so there is nothing to brute-force. */
export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export type ApiKeyFormatError = 'wrong_prefix' | 'wrong_length' | 'bad_characters' | 'bad_checksum';

export type ApiKeyParseResult = { ok: true; hash: string } | { ok: false; error: ApiKeyFormatError };

export function parseApiKey(candidate: string): ApiKeyParseResult {
  if (!candidate.startsWith(API_KEY_PREFIX)) return { ok: false, error: 'wrong_prefix' };
  if (candidate.length !== API_KEY_LENGTH) return { ok: false, error: 'wrong_length' };
  const rest = candidate.slice(API_KEY_PREFIX.length);
  if (!BASE62_CHARS.test(rest)) return { ok: false, error: 'bad_characters' };
  const body = rest.slice(0, BODY_LENGTH);
  if (checksumOf(body) !== rest.slice(BODY_LENGTH)) return { ok: false, error: 'bad_checksum' };
  return { ok: true, hash: hashApiKey(candidate) };
}
