import { z } from 'zod';
import type { ElasticBulkSinkOptions } from './sinks/elastic-bulk-sink.js';
import type { SplunkHecSinkOptions } from './sinks/splunk-hec-sink.js';
import type { WebhookSinkOptions } from './sinks/webhook-sink.js';

export type SplunkHecConfig = Omit<SplunkHecSinkOptions, 'name'>;
export type ElasticConfig = Omit<ElasticBulkSinkOptions, 'name'>;
export type WebhookConfig = Omit<WebhookSinkOptions, 'name'>;

export interface TenantSinksConfig {
  /** SPKI PEM keys the control plane's snapshots verify with. */
  snapshotPublicKeysPem: string[];
  /** Opens tenant-sink credentials; never logged. */
  secretKey: Buffer;
  cacheMs: number;
  timeoutMs: number;
}

export interface SiemExporterConfig {
  redisUrl: string;
  /** Namespaces every Redis key (BusNames); empty in production, unique per test file. */
  redisKeyPrefix: string;
  /** `audit-export` batches one exporter process fans out at once (no sink I/O: cheap). */
  concurrency: number;
  /** Delivery jobs one exporter process works on at once for each sink (per-sink queue). */
  sinkConcurrency: number;
  /** Interval of the sink-queue sweep: backlog logs, workers for queues left with jobs, idle workers closed. */
  sinkSweepMs: number;
  /** A tenant sink's worker with nothing queued for this long is closed; its queue stays. */
  sinkIdleMs: number;
  /**
   * `auto`: each sink is tried directly first and only the shares of sinks that fail or are slow
   * go through their own delivery queue (with a single destination — one exporter-wide sink, no
   * tenant sinks — the fan-out simply delivers). `always`: every share through its sink's queue.
   */
  sinkQueues: 'auto' | 'always';
  /** `auto` only: a sink not done within this long is slow, and its share is queued instead. */
  directDeadlineMs: number;
  /** `auto` only: after failing or being slow, a sink's shares are queued without a try for this long. */
  spillMs: number;
  /**
   * Delivery attempts per batch, counted by this exporter (BullMQ `maxStartedAttempts`). The
   * writer's per-job `attempts` is a ceiling above it; the lower number wins.
   */
  attempts: number;
  /** First retry delay; doubles per attempt, capped by backoffMaxMs, with jitter. */
  backoffMs: number;
  backoffMaxMs: number;
  /**
   * How long a job's lock lasts without renewal. An exporter that dies mid-batch holds its jobs
   * this long; then another exporter takes them over (BullMQ stalled-job check, same interval).
   */
  lockMs: number;
  splunk: SplunkHecConfig | null;
  elastic: ElasticConfig | null;
  webhook: WebhookConfig | null;
  /** Tenants' own sinks from their snapshots; null when not configured. */
  tenantSinks: TenantSinksConfig | null;
  /** JSON Lines file receiving every event, or null. */
  auditFile: string | null;
}

/** Unset and empty (`FOO=` in a compose file) both mean "not configured". */
const optionalString = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());
const integer = (fallback: number, min: number) =>
  z.preprocess((v) => (v === '' || v === undefined ? fallback : v), z.coerce.number().int().min(min));

const envSchema = z
  .object({
    REDIS_URL: z.preprocess((v) => (v === '' || v === undefined ? 'redis://127.0.0.1:6379' : v), z.url({ protocol: /^rediss?$/ })),
    MCPG_REDIS_KEY_PREFIX: z.string().default(''),
    SPLUNK_HEC_URL: z.preprocess((v) => (v === '' ? undefined : v), z.url({ protocol: /^https?$/ }).optional()),
    SPLUNK_HEC_TOKEN: optionalString,
    SPLUNK_INDEX: optionalString,
    SPLUNK_SOURCETYPE: z.preprocess((v) => (v === '' || v === undefined ? 'mcpg:audit' : v), z.string()),
    SPLUNK_SOURCE: z.preprocess((v) => (v === '' || v === undefined ? 'mcp-guard' : v), z.string()),
    SPLUNK_HEC_TIMEOUT_MS: integer(10_000, 100),
    SPLUNK_HEC_ACK: z.preprocess((v) => (v === '' || v === undefined ? 'false' : v), z.enum(['true', 'false'])),
    SPLUNK_HEC_ACK_TIMEOUT_MS: integer(60_000, 100),
    SPLUNK_HEC_ACK_POLL_MS: integer(1_000, 10),
    ELASTIC_URL: z.preprocess((v) => (v === '' ? undefined : v), z.url({ protocol: /^https?$/ }).optional()),
    ELASTIC_API_KEY: optionalString,
    ELASTIC_USERNAME: optionalString,
    ELASTIC_PASSWORD: optionalString,
    ELASTIC_INDEX: z.preprocess((v) => (v === '' || v === undefined ? 'mcpg-audit' : v), z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase index or data stream name')),
    ELASTIC_TIMEOUT_MS: integer(10_000, 100),
    WEBHOOK_URL: z.preprocess((v) => (v === '' ? undefined : v), z.url({ protocol: /^https?$/ }).optional()),
    WEBHOOK_SECRET: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(16, 'must be at least 16 characters').optional()),
    WEBHOOK_TIMEOUT_MS: integer(10_000, 100),
    MCPG_SNAPSHOT_PUBLIC_KEYS: optionalString,
    MCPG_SINK_SECRET_KEY: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z
        .string()
        .refine((v) => /^[0-9a-fA-F]{64}$/.test(v) || Buffer.from(v, 'base64').length === 32, 'must be 32 bytes (64 hex characters or base64)')
        .optional(),
    ),
    MCPG_TENANT_SINK_CACHE_MS: integer(5_000, 0),
    MCPG_TENANT_SINK_TIMEOUT_MS: integer(10_000, 100),
    MCPG_AUDIT_FILE: optionalString,
    EXPORTER_CONCURRENCY: integer(4, 1),
    EXPORTER_SINK_CONCURRENCY: integer(4, 1),
    EXPORTER_SINK_SWEEP_MS: integer(10_000, 50),
    EXPORTER_SINK_IDLE_MS: integer(300_000, 0),
    EXPORTER_SINK_QUEUES: z.preprocess((v) => (v === '' || v === undefined ? 'auto' : v), z.enum(['auto', 'always'])),
    EXPORTER_DIRECT_DEADLINE_MS: integer(2_000, 10),
    EXPORTER_SPILL_MS: integer(30_000, 0),
    EXPORTER_ATTEMPTS: integer(10, 1),
    EXPORTER_BACKOFF_MS: integer(1_000, 1),
    EXPORTER_BACKOFF_MAX_MS: integer(300_000, 1),
    EXPORTER_LOCK_MS: integer(30_000, 100),
  })
  .superRefine((env, ctx) => {
    if ((env.SPLUNK_HEC_URL === undefined) !== (env.SPLUNK_HEC_TOKEN === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['SPLUNK_HEC_TOKEN'], message: 'SPLUNK_HEC_URL and SPLUNK_HEC_TOKEN go together: set both or neither' });
    }
    if (env.ELASTIC_URL !== undefined) {
      const hasApiKey = env.ELASTIC_API_KEY !== undefined;
      const hasBasic = env.ELASTIC_USERNAME !== undefined && env.ELASTIC_PASSWORD !== undefined;
      if (hasApiKey === hasBasic) {
        ctx.addIssue({ code: 'custom', path: ['ELASTIC_API_KEY'], message: 'ELASTIC_URL needs either ELASTIC_API_KEY or ELASTIC_USERNAME and ELASTIC_PASSWORD' });
      }
    }
    if ((env.WEBHOOK_URL === undefined) !== (env.WEBHOOK_SECRET === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['WEBHOOK_SECRET'], message: 'WEBHOOK_URL and WEBHOOK_SECRET go together: set both or neither' });
    }
    if ((env.MCPG_SNAPSHOT_PUBLIC_KEYS === undefined) !== (env.MCPG_SINK_SECRET_KEY === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['MCPG_SINK_SECRET_KEY'], message: 'tenant sinks need both MCPG_SNAPSHOT_PUBLIC_KEYS and MCPG_SINK_SECRET_KEY' });
    }
    const hasTenantSinks = env.MCPG_SINK_SECRET_KEY !== undefined;
    if (!hasTenantSinks && env.SPLUNK_HEC_URL === undefined && env.ELASTIC_URL === undefined && env.WEBHOOK_URL === undefined && env.MCPG_AUDIT_FILE === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['SPLUNK_HEC_URL'],
        message:
          'no sink configured: set SPLUNK_HEC_URL and SPLUNK_HEC_TOKEN, ELASTIC_URL and its credentials, WEBHOOK_URL and WEBHOOK_SECRET, MCPG_AUDIT_FILE, or tenant sinks (MCPG_SNAPSHOT_PUBLIC_KEYS and MCPG_SINK_SECRET_KEY)',
      });
    }
    if (env.EXPORTER_BACKOFF_MAX_MS < env.EXPORTER_BACKOFF_MS) {
      ctx.addIssue({ code: 'custom', path: ['EXPORTER_BACKOFF_MAX_MS'], message: 'must be at least EXPORTER_BACKOFF_MS' });
    }
  });

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads the exporter's settings from the environment. Messages name the variables at fault and
 * never echo their values, since SPLUNK_HEC_TOKEN is a secret.
 */
export function loadSiemExporterConfig(env: Record<string, string | undefined> = process.env): SiemExporterConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`);
    throw new ConfigError(`invalid siem-exporter configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  return {
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.MCPG_REDIS_KEY_PREFIX,
    concurrency: e.EXPORTER_CONCURRENCY,
    sinkConcurrency: e.EXPORTER_SINK_CONCURRENCY,
    sinkSweepMs: e.EXPORTER_SINK_SWEEP_MS,
    sinkIdleMs: e.EXPORTER_SINK_IDLE_MS,
    sinkQueues: e.EXPORTER_SINK_QUEUES,
    directDeadlineMs: e.EXPORTER_DIRECT_DEADLINE_MS,
    spillMs: e.EXPORTER_SPILL_MS,
    attempts: e.EXPORTER_ATTEMPTS,
    backoffMs: e.EXPORTER_BACKOFF_MS,
    backoffMaxMs: e.EXPORTER_BACKOFF_MAX_MS,
    lockMs: e.EXPORTER_LOCK_MS,
    splunk:
      e.SPLUNK_HEC_URL !== undefined && e.SPLUNK_HEC_TOKEN !== undefined
        ? {
            url: e.SPLUNK_HEC_URL,
            token: e.SPLUNK_HEC_TOKEN,
            ...(e.SPLUNK_INDEX !== undefined ? { index: e.SPLUNK_INDEX } : {}),
            sourcetype: e.SPLUNK_SOURCETYPE,
            source: e.SPLUNK_SOURCE,
            timeoutMs: e.SPLUNK_HEC_TIMEOUT_MS,
            ...(e.SPLUNK_HEC_ACK === 'true' ? { ack: { timeoutMs: e.SPLUNK_HEC_ACK_TIMEOUT_MS, pollMs: e.SPLUNK_HEC_ACK_POLL_MS } } : {}),
          }
        : null,
    elastic:
      e.ELASTIC_URL !== undefined
        ? {
            url: e.ELASTIC_URL,
            auth: e.ELASTIC_API_KEY !== undefined ? { apiKey: e.ELASTIC_API_KEY } : { username: e.ELASTIC_USERNAME ?? '', password: e.ELASTIC_PASSWORD ?? '' },
            index: e.ELASTIC_INDEX,
            timeoutMs: e.ELASTIC_TIMEOUT_MS,
          }
        : null,
    webhook:
      e.WEBHOOK_URL !== undefined && e.WEBHOOK_SECRET !== undefined ? { url: e.WEBHOOK_URL, secret: e.WEBHOOK_SECRET, timeoutMs: e.WEBHOOK_TIMEOUT_MS } : null,
    tenantSinks:
      e.MCPG_SNAPSHOT_PUBLIC_KEYS !== undefined && e.MCPG_SINK_SECRET_KEY !== undefined
        ? {
            snapshotPublicKeysPem: e.MCPG_SNAPSHOT_PUBLIC_KEYS.replace(/\\n/g, '\n').match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? [],
            secretKey: /^[0-9a-fA-F]{64}$/.test(e.MCPG_SINK_SECRET_KEY) ? Buffer.from(e.MCPG_SINK_SECRET_KEY, 'hex') : Buffer.from(e.MCPG_SINK_SECRET_KEY, 'base64'),
            cacheMs: e.MCPG_TENANT_SINK_CACHE_MS,
            timeoutMs: e.MCPG_TENANT_SINK_TIMEOUT_MS,
          }
        : null,
    auditFile: e.MCPG_AUDIT_FILE ?? null,
  };
}
