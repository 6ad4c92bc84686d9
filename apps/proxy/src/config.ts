import { hostname } from 'node:os';
import { join } from 'node:path';
import { parseSecretsKeyRing, type SecretsKeyRing } from '@mcpg/policy';
import { z } from 'zod';
import { parseSessionKeys, type SessionKey } from './session-seal.js';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const envSchema = z.object({
  PROXY_HOST: z.string().default('127.0.0.1'),
  PROXY_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  MCPG_REDIS_KEY_PREFIX: z.string().default(''),
  MCPG_SNAPSHOT_PUBLIC_KEYS: z.string().min(1, 'MCPG_SNAPSHOT_PUBLIC_KEYS must hold one or more SPKI PEM public keys'),
  MCPG_REGION: z.string().default('local'),
  MCPG_PROXY_ID: z.string().optional(),
  MCPG_MAX_BODY_BYTES: positiveInt(1024 * 1024),
  MCPG_MAX_BATCH_LENGTH: positiveInt(100),
  MCPG_UPSTREAM_CONNECT_TIMEOUT_MS: positiveInt(5_000),
  MCPG_UPSTREAM_RESPONSE_TIMEOUT_MS: positiveInt(60_000),
  MCPG_MAX_JSON_DEPTH: positiveInt(64),
  // Room for a bearer token over the 16 KiB auth limit, so an oversized token gets the 401 of issue 3.
  MCPG_MAX_HEADER_BYTES: positiveInt(32 * 1024),
  MCPG_SSE_IDLE_TIMEOUT_MS: positiveInt(300_000),
  MCPG_SESSION_KEYS: z.string().optional(),
  MCPG_CIRCUIT_FAILURE_THRESHOLD: positiveInt(5),
  MCPG_CIRCUIT_OPEN_MS: positiveInt(30_000),
  MCPG_ALLOW_STDIO_UPSTREAMS: z.enum(['true', 'false']).default('false'),
  MCPG_STDIO_MAX_SESSIONS: positiveInt(16),
  MCPG_STDIO_IDLE_TIMEOUT_MS: positiveInt(600_000),
  MCPG_STDIO_MAX_RESTARTS: z.coerce.number().int().min(0).default(3),
  // 500 events per job: below that, per-job BullMQ overhead caps the exporter under 50,000 events/s (bench/README.md).
  MCPG_AUDIT_BATCH_SIZE: positiveInt(500),
  MCPG_AUDIT_FLUSH_MS: positiveInt(1_000),
  MCPG_HEARTBEAT_INTERVAL_MS: positiveInt(5_000),
  MCPG_PUBLIC_URL: z.preprocess((v) => (v === '' ? undefined : v), z.url().optional()),
  MCPG_JWKS_TIMEOUT_MS: positiveInt(3_000),
  MCPG_JWKS_COOLDOWN_MS: positiveInt(30_000),
  MCPG_JWKS_MAX_AGE_MS: positiveInt(600_000),
  MCPG_INTROSPECTION_TIMEOUT_MS: positiveInt(3_000),
  MCPG_INTROSPECTION_CACHE_MAX_MS: positiveInt(60_000),
  MCPG_TLS_CERT_FILE: z.string().optional(),
  MCPG_TLS_KEY_FILE: z.string().optional(),
  MCPG_TRUSTED_PROXY_CIDRS: z.string().optional(),
  MCPG_CLIENT_CERT_HEADER: z.string().default('x-client-cert'),
  MCPG_AUDIT_SPOOL_FILE: z.string().optional(),
  MCPG_AUDIT_SPOOL_MAX_BYTES: positiveInt(256 * 1024 * 1024),
  MCPG_AUDIT_ADD_TIMEOUT_MS: positiveInt(5_000),
  MCPG_AUDIT_SPOOL_REPLAY_MS: positiveInt(1_000),
  MCPG_REDACTION_HASH_KEY: z.string().optional(),
  MCPG_UPSTREAM_CREDENTIALS_KEY: z.string().optional(),
});

export interface ProxyConfig {
  host: string;
  port: number;
  redisUrl: string;
  redisKeyPrefix: string;
  /** PEM blocks; several are accepted so the control plane's signing key can be rotated. */
  snapshotPublicKeysPem: string[];
  region: string;
  proxyId: string;
  maxBodyBytes: number;
  maxBatchLength: number;
  upstreamConnectTimeoutMs: number;
  upstreamResponseTimeoutMs: number;
  maxJsonDepth: number;
  maxHeaderBytes: number;
  sseIdleTimeoutMs: number;
  /**
   * Keys that seal session ids, the first one sealing (see session-seal.ts). Null when none is
   * configured: the proxy then makes a random one at start, and sessions do not survive a restart
   * or move between replicas.
   */
  sessionKeys: SessionKey[] | null;
  circuitFailureThreshold: number;
  circuitOpenMs: number;
  /** Whether this proxy may spawn stdio upstreams (standalone mode, trusted deployments). */
  allowStdioUpstreams: boolean;
  /** Per stdio server on this proxy. */
  stdioMaxSessions: number;
  stdioIdleTimeoutMs: number;
  stdioMaxRestarts: number;
  auditBatchSize: number;
  auditFlushMs: number;
  /** How often the proxy reports its region and snapshot versions to Redis (expiry: 3 intervals). */
  heartbeatIntervalMs: number;
  /** How clients reach this proxy (scheme://host[:port], no trailing slash); default: the listen address. */
  publicUrl: string | null;
  jwksTimeoutMs: number;
  jwksCooldownMs: number;
  jwksMaxAgeMs: number;
  introspectionTimeoutMs: number;
  introspectionCacheMaxMs: number;
  /** PEM file paths; when set the proxy listens with TLS (1.2 minimum) and asks for client certificates. */
  tls: { certFile: string; keyFile: string } | null;
  /** Reverse proxies allowed to pass the client certificate in `clientCertHeader` (CIDR notation). */
  trustedProxyCidrs: string[];
  clientCertHeader: string;
  /** Local file for audit batches while Redis is unreachable; replayed in order when it returns. */
  auditSpoolFile: string;
  auditSpoolMaxBytes: number;
  /** A queue add slower than this counts as failed; the batch goes to the spool. */
  auditAddTimeoutMs: number;
  auditSpoolReplayMs: number;
  /** Secret for keyed hashing of redacted values (≥ 32 bytes, base64 or hex); null: hashing falls back to removal. */
  redactionHashKey: Buffer | null;
  /** `MCPG_UPSTREAM_CREDENTIALS_KEY`: opens the upstream credentials sealed in snapshots; null: servers with one get none (logged). */
  upstreamCredentialsKey: SecretsKeyRing | null;
}

export function splitPemBlocks(pem: string): string[] {
  return pem.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? [];
}

export function loadProxyConfig(env: NodeJS.ProcessEnv = process.env): ProxyConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`invalid proxy configuration: ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  const proxyId = e.MCPG_PROXY_ID ?? `${hostname()}-${process.pid}`;
  const keys = splitPemBlocks(e.MCPG_SNAPSHOT_PUBLIC_KEYS.replace(/\\n/g, '\n'));
  if (keys.length === 0) throw new Error('invalid proxy configuration: MCPG_SNAPSHOT_PUBLIC_KEYS holds no PEM public key');
  return {
    host: e.PROXY_HOST,
    port: e.PROXY_PORT,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.MCPG_REDIS_KEY_PREFIX,
    snapshotPublicKeysPem: keys,
    region: e.MCPG_REGION,
    proxyId,
    maxBodyBytes: e.MCPG_MAX_BODY_BYTES,
    maxBatchLength: e.MCPG_MAX_BATCH_LENGTH,
    upstreamConnectTimeoutMs: e.MCPG_UPSTREAM_CONNECT_TIMEOUT_MS,
    upstreamResponseTimeoutMs: e.MCPG_UPSTREAM_RESPONSE_TIMEOUT_MS,
    maxJsonDepth: e.MCPG_MAX_JSON_DEPTH,
    maxHeaderBytes: e.MCPG_MAX_HEADER_BYTES,
    sseIdleTimeoutMs: e.MCPG_SSE_IDLE_TIMEOUT_MS,
    sessionKeys: e.MCPG_SESSION_KEYS ? parseSessionKeysOrThrow(e.MCPG_SESSION_KEYS) : null,
    circuitFailureThreshold: e.MCPG_CIRCUIT_FAILURE_THRESHOLD,
    circuitOpenMs: e.MCPG_CIRCUIT_OPEN_MS,
    allowStdioUpstreams: e.MCPG_ALLOW_STDIO_UPSTREAMS === 'true',
    stdioMaxSessions: e.MCPG_STDIO_MAX_SESSIONS,
    stdioIdleTimeoutMs: e.MCPG_STDIO_IDLE_TIMEOUT_MS,
    stdioMaxRestarts: e.MCPG_STDIO_MAX_RESTARTS,
    auditBatchSize: e.MCPG_AUDIT_BATCH_SIZE,
    auditFlushMs: e.MCPG_AUDIT_FLUSH_MS,
    heartbeatIntervalMs: e.MCPG_HEARTBEAT_INTERVAL_MS,
    publicUrl: e.MCPG_PUBLIC_URL ? e.MCPG_PUBLIC_URL.replace(/\/+$/, '') : null,
    jwksTimeoutMs: e.MCPG_JWKS_TIMEOUT_MS,
    jwksCooldownMs: e.MCPG_JWKS_COOLDOWN_MS,
    jwksMaxAgeMs: e.MCPG_JWKS_MAX_AGE_MS,
    introspectionTimeoutMs: e.MCPG_INTROSPECTION_TIMEOUT_MS,
    introspectionCacheMaxMs: e.MCPG_INTROSPECTION_CACHE_MAX_MS,
    tls: tlsFilesOf(e.MCPG_TLS_CERT_FILE, e.MCPG_TLS_KEY_FILE),
    trustedProxyCidrs: (e.MCPG_TRUSTED_PROXY_CIDRS ?? '').split(',').map((c) => c.trim()).filter((c) => c.length > 0),
    clientCertHeader: e.MCPG_CLIENT_CERT_HEADER.toLowerCase(),
    // Per proxy id: two proxies must never share (and interleave) one spool.
    auditSpoolFile: e.MCPG_AUDIT_SPOOL_FILE || join('.mcpg', 'audit-spool', `${proxyId.replace(/[^A-Za-z0-9._-]/g, '_')}.jsonl`),
    auditSpoolMaxBytes: e.MCPG_AUDIT_SPOOL_MAX_BYTES,
    auditAddTimeoutMs: e.MCPG_AUDIT_ADD_TIMEOUT_MS,
    auditSpoolReplayMs: e.MCPG_AUDIT_SPOOL_REPLAY_MS,
    redactionHashKey: parseHashKey(e.MCPG_REDACTION_HASH_KEY),
    upstreamCredentialsKey: parseSecretsKeyOrThrow(e.MCPG_UPSTREAM_CREDENTIALS_KEY),
  };
}

function tlsFilesOf(certFile: string | undefined, keyFile: string | undefined): ProxyConfig['tls'] {
  if (!certFile && !keyFile) return null;
  if (!certFile || !keyFile) throw new Error('invalid proxy configuration: MCPG_TLS_CERT_FILE and MCPG_TLS_KEY_FILE must be set together');
  return { certFile, keyFile };
}

/** 64+ hex characters or base64 of 32+ bytes; the message never echoes the value. */
function parseHashKey(value: string | undefined): Buffer | null {
  if (!value) return null;
  const key = /^[0-9a-fA-F]+$/.test(value) && value.length % 2 === 0 ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length < 32) throw new Error('invalid proxy configuration: MCPG_REDACTION_HASH_KEY must hold at least 32 bytes (64 hex characters or base64)');
  return key;
}

function parseSecretsKeyOrThrow(value: string | undefined): SecretsKeyRing | null {
  if (!value) return null;
  try {
    return parseSecretsKeyRing(value);
  } catch (err) {
    throw new Error(`invalid proxy configuration: MCPG_UPSTREAM_CREDENTIALS_KEY: ${(err as Error).message}`);
  }
}

function parseSessionKeysOrThrow(value: string): SessionKey[] {
  try {
    return parseSessionKeys(value);
  } catch (err) {
    throw new Error(`invalid proxy configuration: MCPG_SESSION_KEYS: ${(err as Error).message}`);
  }
}
