import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';

/**
 * Secrets sealed with AES-256-GCM under `MCPG_UPSTREAM_CREDENTIALS_KEY`: upstream credentials at rest in
 * PostgreSQL, and inside snapshots (signed, not encrypted) on their way through Redis to proxies.
 *
 * The IV is synthetic (HMAC-SHA256 of context and plaintext under the key, first 12 bytes), so the
 * same secret in the same context always seals to the same text: a recompiled snapshot does not
 * differ from the last one unless something changed. An IV repeats only for identical messages, so
 * GCM's nonce-reuse failure cannot occur; what leaks is equality within one context, which is
 * one server's own credential. The context is bound as associated data, so a sealed value moved
 * to another server or tenant opens to nothing.
 *
 * Wire form: `sb1.<base64url(iv ‖ ciphertext ‖ tag)>`.
 */
const VERSION = 'sb1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Parses a 32-byte key given as base64 (44 characters) or hex (64 characters). */
export function parseSecretsKey(value: string): Buffer {
  const trimmed = value.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) throw new Error(`must be 32 bytes as base64 or hex, got ${key.length} bytes`);
  return key;
}

export function sealSecret(key: Buffer, plaintext: string, context: string): string {
  const data = Buffer.from(plaintext, 'utf8');
  const iv = createHmac('sha256', key).update(context).update('\0').update(data).digest().subarray(0, IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`${VERSION}.${context}`));
  const sealed = Buffer.concat([iv, cipher.update(data), cipher.final(), cipher.getAuthTag()]);
  return `${VERSION}.${sealed.toString('base64url')}`;
}

/** The secret, or null for anything not sealed under `key` in `context` (tampered, moved, other key). */
export function openSecret(key: Buffer, sealed: string, context: string): string | null {
  if (!sealed.startsWith(`${VERSION}.`)) return null;
  const raw = Buffer.from(sealed.slice(VERSION.length + 1), 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(`${VERSION}.${context}`));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
