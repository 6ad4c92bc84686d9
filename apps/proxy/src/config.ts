import { hostname } from 'node:os';
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
  MCPG_MAX_HEADER_BYTES: positiveInt(16 * 1024),
  MCPG_SSE_IDLE_TIMEOUT_MS: positiveInt(300_000),
  MCPG_SESSION_KEYS: z.string().optional(),
  MCPG_CIRCUIT_FAILURE_THRESHOLD: positiveInt(5),
  MCPG_CIRCUIT_OPEN_MS: positiveInt(30_000),
  MCPG_ALLOW_STDIO_UPSTREAMS: z.enum(['true', 'false']).default('false'),
  MCPG_STDIO_MAX_SESSIONS: positiveInt(16),
  MCPG_STDIO_IDLE_TIMEOUT_MS: positiveInt(600_000),
  MCPG_STDIO_MAX_RESTARTS: z.coerce.number().int().min(0).default(3),
  MCPG_AUDIT_BATCH_SIZE: positiveInt(100),
  MCPG_AUDIT_FLUSH_MS: positiveInt(1_000),
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
  const keys = splitPemBlocks(e.MCPG_SNAPSHOT_PUBLIC_KEYS.replace(/\\n/g, '\n'));
  if (keys.length === 0) throw new Error('invalid proxy configuration: MCPG_SNAPSHOT_PUBLIC_KEYS holds no PEM public key');
  return {
    host: e.PROXY_HOST,
    port: e.PROXY_PORT,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.MCPG_REDIS_KEY_PREFIX,
    snapshotPublicKeysPem: keys,
    region: e.MCPG_REGION,
    proxyId: e.MCPG_PROXY_ID ?? `${hostname()}-${process.pid}`,
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
  };
}

function parseSessionKeysOrThrow(value: string): SessionKey[] {
  try {
    return parseSessionKeys(value);
  } catch (err) {
    throw new Error(`invalid proxy configuration: MCPG_SESSION_KEYS: ${(err as Error).message}`);
  }
}
