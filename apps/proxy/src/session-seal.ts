import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Sealed session ids. Proxies hold no session state, yet a session opened through one replica must
 * work through any other of the region, and must be useless to anyone but the principal that
 * opened it (MCP security best practices: bind sessions to the user). So the id the client sees
 * is the upstream's session id, with tenant, server and principal, encrypted and authenticated
 * (AES-256-GCM) under a regional key from configuration. The upstream's own id never reaches the
 * client; a tampered id, or one presented by another principal, opens to nothing.
 *
 * Wire form: `s1.<key id>.<base64url(iv ‖ ciphertext ‖ tag)>` — visible ASCII only, as
 * `Mcp-Session-Id` requires. Several keys may be configured; the first seals, all open, so a key
 * can be rotated without ending live sessions.
 */
export interface SessionClaims {
  /** The upstream server's `Mcp-Session-Id` (or legacy SSE `sessionId`). */
  upstreamSessionId: string;
  tenantId: string;
  serverId: string;
  subject: string;
}

export interface SessionKey {
  id: string;
  key: Buffer;
}

const VERSION = 's1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** Parses `MCPG_SESSION_KEYS`: comma-separated `<key id>:<base64 of 32 bytes>`. */
export function parseSessionKeys(value: string): SessionKey[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      const colon = entry.indexOf(':');
      const id = entry.slice(0, colon);
      const key = Buffer.from(entry.slice(colon + 1), 'base64');
      if (colon < 1 || !KEY_ID.test(id)) throw new Error('each session key must look like <id>:<base64 key>, id of A-Z a-z 0-9 _ -');
      if (key.length !== 32) throw new Error(`session key "${id}" must be 32 bytes (base64), got ${key.length}`);
      return { id, key };
    });
}

export function generateSessionKey(id: string): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

export class SessionSealer {
  private readonly byId: ReadonlyMap<string, Buffer>;
  private readonly current: SessionKey;

  constructor(keys: readonly SessionKey[]) {
    if (keys.length === 0) throw new Error('at least one session key is required');
    this.current = keys[0]!;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  seal(claims: SessionClaims): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    // The version and key id are bound as associated data, so they cannot be swapped either.
    cipher.setAAD(Buffer.from(`${VERSION}.${this.current.id}`));
    const plaintext = Buffer.from(JSON.stringify([claims.upstreamSessionId, claims.tenantId, claims.serverId, claims.subject]));
    const sealed = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return `${VERSION}.${this.current.id}.${sealed.toString('base64url')}`;
  }

  /** The claims, or null for anything not sealed by one of our keys (tampered, foreign, garbage). */
  open(token: string): SessionClaims | null {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== VERSION) return null;
    const key = this.byId.get(parts[1]!);
    if (!key) return null;
    const raw = Buffer.from(parts[2]!, 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES + 1) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(`${VERSION}.${parts[1]}`));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const plaintext = Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
      const fields: unknown = JSON.parse(plaintext.toString('utf8'));
      if (!Array.isArray(fields) || fields.length !== 4 || !fields.every((f) => typeof f === 'string')) return null;
      const [upstreamSessionId, tenantId, serverId, subject] = fields as string[];
      return { upstreamSessionId: upstreamSessionId!, tenantId: tenantId!, serverId: serverId!, subject: subject! };
    } catch {
      return null;
    }
  }
}
