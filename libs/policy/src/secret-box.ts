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

/**
 * One key, or several for rotation: the first seals, every one opens. A value sealed under an
 * older key therefore keeps opening while the new key is rolled out, and is sealed again under
 * the first key the next time it is written.
 */
export type SecretsKeyRing = Buffer | readonly Buffer[];

function keysOf(ring: SecretsKeyRing): readonly Buffer[] {
  return Buffer.isBuffer(ring) ? [ring] : (ring as readonly Buffer[]);
}

/** The key new values are sealed with: the first of the ring. */
export function sealingKeyOf(ring: SecretsKeyRing): Buffer {
  const key = keysOf(ring)[0];
  if (!key) throw new Error('a secrets key ring needs at least one key');
  return key;
}

/**
 * Parses `key[,older-key…]`, each 32 bytes as base64 or hex: one key gives a Buffer, several a
 * ring whose first key seals. The same key twice is refused (a pasting mistake, not a rotation).
 */
export function parseSecretsKeyRing(value: string): SecretsKeyRing {
  const keys = value.split(',').map((part) => part.trim()).filter((part) => part.length > 0).map(parseSecretsKey);
  if (keys.length === 0) throw new Error('must hold at least one key');
  if (new Set(keys.map((k) => k.toString('hex'))).size !== keys.length) throw new Error('must not list the same key twice');
  return keys.length === 1 ? keys[0]! : keys;
}

/** Parses a 32-byte key given as base64 (44 characters) or hex (64 characters). */
export function parseSecretsKey(value: string): Buffer {
  const trimmed = value.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) throw new Error(`must be 32 bytes as base64 or hex, got ${key.length} bytes`);
  return key;
}

export function sealSecret(ring: SecretsKeyRing, plaintext: string, context: string): string {
  const key = sealingKeyOf(ring);
  const data = Buffer.from(plaintext, 'utf8');
  const iv = createHmac('sha256', key).update(context).update('\0').update(data).digest().subarray(0, IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`${VERSION}.${context}`));
  const sealed = Buffer.concat([iv, cipher.update(data), cipher.final(), cipher.getAuthTag()]);
  return `${VERSION}.${sealed.toString('base64url')}`;
}

/** The secret, or null for anything not sealed under a key of `ring` in `context` (tampered, moved, other key). */
export function openSecret(ring: SecretsKeyRing, sealed: string, context: string): string | null {
  if (!sealed.startsWith(`${VERSION}.`)) return null;
  const raw = Buffer.from(sealed.slice(VERSION.length + 1), 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES) return null;
  for (const key of keysOf(ring)) {
    const value = openWithKey(key, raw, context);
    if (value !== null) return value;
  }
  return null;
}

/** Whether `sealed` opens under the ring's sealing key (false: an older key, or none). */
export function isSealedUnderCurrentKey(ring: SecretsKeyRing, sealed: string, context: string): boolean {
  return openSecret(sealingKeyOf(ring), sealed, context) !== null;
}

function openWithKey(key: Buffer, raw: Buffer, context: string): string | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(`${VERSION}.${context}`));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
