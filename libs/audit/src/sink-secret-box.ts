import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { BusNames } from '@mcpg/bus';

/**
 * Credentials of a tenant's audit sink, encrypted at rest (PostgreSQL) and in transit to the
 * exporters (Redis hash `mcpg:sink-secrets`, field = sink id) with AES-256-GCM under
 * `MCPG_SINK_SECRET_KEY`, which only the control plane and the exporters hold. The sink id is the
 * additional authenticated data, so a ciphertext moved to another sink does not open.
 */
export type SinkSecret = { token: string } | { apiKey: string } | { username: string; password: string } | { hmacSecret: string };

const VERSION = 'v1';

export class SinkSecretError extends Error {
  override readonly name = 'SinkSecretError';
}

/** Accepts 32 bytes as 64 hex characters or base64; the message never echoes the value. */
export function parseSinkSecretKey(value: string, variable = 'MCPG_SINK_SECRET_KEY'): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32) throw new SinkSecretError(`${variable} must be 32 bytes (64 hex characters or base64)`);
  return key;
}

export function sealSinkSecret(key: Buffer, sinkId: string, secret: SinkSecret): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(sinkId));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(secret), 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join(':');
}

export function openSinkSecret(key: Buffer, sinkId: string, sealed: string): SinkSecret {
  const [version, iv, tag, ciphertext] = sealed.split(':');
  if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new SinkSecretError(`sink ${sinkId}: sealed secret has an unknown format`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from(sinkId));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    const plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8');
    return JSON.parse(plaintext) as SinkSecret;
  } catch {
    throw new SinkSecretError(`sink ${sinkId}: sealed secret does not open with the configured key`);
  }
}

/** Redis hash of sealed sink secrets (field = sink id). */
export function sinkSecretsKey(names: BusNames): string {
  return `${names.keyPrefix}mcpg:sink-secrets`;
}
