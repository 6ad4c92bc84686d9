import { z } from 'zod';
import { openSecret, sealSecret, type SecretsKeyRing } from './secret-box.js';

/**
 * What a proxy sends to an upstream server on every request, in place of the client's own
 * credential (which never leaves the proxy): a bearer token, or a custom header such as X-API-Key.
 */
export const upstreamCredentialKindSchema = z.enum(['bearer', 'header']);
export type UpstreamCredentialKind = z.infer<typeof upstreamCredentialKindSchema>;

/** In the snapshot: the value sealed for proxies (see secret-box.ts), never in clear. */
export const snapshotUpstreamCredentialSchema = z.object({
  kind: upstreamCredentialKindSchema,
  /** For kind `header`: the header's name, lower case. */
  headerName: z.string().optional(),
  sealedValue: z.string(),
});
export type SnapshotUpstreamCredential = z.infer<typeof snapshotUpstreamCredentialSchema>;

/** For people to read (version listings, diffs): the credential's kind and header, not even its sealed value. */
export function displayableCredential(credential: SnapshotUpstreamCredential): Omit<SnapshotUpstreamCredential, 'sealedValue'> {
  const { sealedValue: _sealed, ...shown } = credential;
  return shown;
}

/** A credential ready to go on the wire: header name (lower case) and value. */
export interface UpstreamCredentialHeader {
  readonly name: string;
  readonly value: string;
}

/** Associated data of a credential sealed into a snapshot: it opens only for this tenant's server. */
export const snapshotCredentialContext = (tenantId: string, serverId: string): string => `snapshot-upstream-credential:${tenantId}:${serverId}`;

export function sealUpstreamCredential(
  key: SecretsKeyRing,
  credential: { kind: UpstreamCredentialKind; headerName?: string | null; value: string },
  tenantId: string,
  serverId: string,
): SnapshotUpstreamCredential {
  return {
    kind: credential.kind,
    ...(credential.kind === 'header' && credential.headerName ? { headerName: credential.headerName.toLowerCase() } : {}),
    sealedValue: sealSecret(key, credential.value, snapshotCredentialContext(tenantId, serverId)),
  };
}

/** The header to send, or null when the value does not open under `key` (wrong key, tampered, moved). */
export function openUpstreamCredential(key: SecretsKeyRing, credential: SnapshotUpstreamCredential, tenantId: string, serverId: string): UpstreamCredentialHeader | null {
  const value = openSecret(key, credential.sealedValue, snapshotCredentialContext(tenantId, serverId));
  if (value === null) return null;
  if (credential.kind === 'bearer') return { name: 'authorization', value: `Bearer ${value}` };
  return credential.headerName ? { name: credential.headerName, value } : null;
}

/**
 * Headers the proxy sets itself or that carry meaning between hops: a credential under one of
 * these names would break framing, routing or sessions rather than authenticate.
 */
const RESERVED_HEADER_NAMES = new Set([
  'host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization',
  'te', 'trailer', 'upgrade', 'expect', 'accept', 'accept-encoding', 'cookie', 'mcp-session-id', 'mcp-protocol-version', 'mcp-method',
  'mcp-name', 'last-event-id', 'traceparent', 'tracestate', 'forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto',
]);

/** RFC 9110 §5.1 field name (a token); `authorization` is what kind BEARER is for. */
export const credentialHeaderNameSchema = z
  .string()
  .max(128, 'must be at most 128 characters')
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be an HTTP header name (RFC 9110 token)')
  .refine((name) => !RESERVED_HEADER_NAMES.has(name.toLowerCase()), 'must not be a hop-by-hop, framing, session or forwarding header');

/**
 * A credential as an admin (GraphQL) or a standalone file gives it. RFC 9110 §5.5 field value:
 * visible ASCII, spaces and tabs inside; no CR/LF (header injection).
 */
export const upstreamCredentialSchema = z
  .object({
    kind: z.enum(['bearer', 'header'], 'must be BEARER or HEADER'),
    headerName: credentialHeaderNameSchema.nullish(),
    value: z
      .string()
      .min(1, 'must not be empty')
      .max(4096, 'must be at most 4096 characters')
      .regex(/^[\x21-\x7e](?:[\x20-\x7e\t]*[\x21-\x7e])?$/, 'must be visible ASCII without leading or trailing spaces'),
  })
  .superRefine((c, ctx) => {
    if (c.kind === 'header' && !c.headerName) ctx.addIssue({ code: 'custom', path: ['headerName'], message: 'is required for HEADER' });
    if (c.kind === 'bearer' && c.headerName) ctx.addIssue({ code: 'custom', path: ['headerName'], message: 'is only for HEADER' });
  })
  .transform((c) => ({ kind: c.kind, headerName: c.kind === 'header' ? c.headerName!.toLowerCase() : null, value: c.value }));
