import { z } from 'zod';
import type { SplunkHecSinkOptions } from './sinks/splunk-hec-sink.js';

export type SplunkHecConfig = Omit<SplunkHecSinkOptions, 'name'>;

export interface SiemExporterConfig {
  redisUrl: string;
  /** Namespaces every Redis key (BusNames); empty in production, unique per test file. */
  redisKeyPrefix: string;
  /** Jobs (batches) one exporter process works on at once. */
  concurrency: number;
  /**
   * Delivery attempts per batch, counted by this exporter (BullMQ `maxStartedAttempts`). The
   * writer's per-job `attempts` is a ceiling above it; the lower number wins.
   */
  attempts: number;
  /** First retry delay; doubles per attempt, capped by backoffMaxMs, with jitter. */
  backoffMs: number;
  backoffMaxMs: number;
  splunk: SplunkHecConfig | null;
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
    MCPG_AUDIT_FILE: optionalString,
    EXPORTER_CONCURRENCY: integer(4, 1),
    EXPORTER_ATTEMPTS: integer(10, 1),
    EXPORTER_BACKOFF_MS: integer(1_000, 1),
    EXPORTER_BACKOFF_MAX_MS: integer(300_000, 1),
  })
  .superRefine((env, ctx) => {
    if ((env.SPLUNK_HEC_URL === undefined) !== (env.SPLUNK_HEC_TOKEN === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['SPLUNK_HEC_TOKEN'], message: 'SPLUNK_HEC_URL and SPLUNK_HEC_TOKEN go together: set both or neither' });
    }
    if (env.SPLUNK_HEC_URL === undefined && env.MCPG_AUDIT_FILE === undefined) {
      ctx.addIssue({ code: 'custom', path: ['SPLUNK_HEC_URL'], message: 'no sink configured: set SPLUNK_HEC_URL and SPLUNK_HEC_TOKEN, or MCPG_AUDIT_FILE, or both' });
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
    attempts: e.EXPORTER_ATTEMPTS,
    backoffMs: e.EXPORTER_BACKOFF_MS,
    backoffMaxMs: e.EXPORTER_BACKOFF_MAX_MS,
    splunk:
      e.SPLUNK_HEC_URL !== undefined && e.SPLUNK_HEC_TOKEN !== undefined
        ? {
            url: e.SPLUNK_HEC_URL,
            token: e.SPLUNK_HEC_TOKEN,
            ...(e.SPLUNK_INDEX !== undefined ? { index: e.SPLUNK_INDEX } : {}),
            sourcetype: e.SPLUNK_SOURCETYPE,
            source: e.SPLUNK_SOURCE,
            timeoutMs: e.SPLUNK_HEC_TIMEOUT_MS,
          }
        : null,
    auditFile: e.MCPG_AUDIT_FILE ?? null,
  };
}
