import { describe, expect, it } from 'vitest';
import { ConfigError, loadSiemExporterConfig } from './config.js';

const splunk = { SPLUNK_HEC_URL: 'https://splunk.example.com:8088', SPLUNK_HEC_TOKEN: 'secret-hec-token' };

describe('loadSiemExporterConfig', () => {
  it('fills in the documented defaults', () => {
    expect(loadSiemExporterConfig(splunk)).toEqual({
      redisUrl: 'redis://127.0.0.1:6379',
      redisKeyPrefix: '',
      concurrency: 4,
      sinkConcurrency: 4,
      sinkSweepMs: 10_000,
      sinkIdleMs: 300_000,
      sinkQueues: 'auto',
      directDeadlineMs: 2000,
      spillMs: 30_000,
      attempts: 10,
      backoffMs: 1000,
      backoffMaxMs: 300_000,
      lockMs: 30_000,
      splunk: { url: 'https://splunk.example.com:8088', token: 'secret-hec-token', sourcetype: 'mcpg:audit', source: 'mcp-guard', timeoutMs: 10_000 },
      elastic: null,
      webhook: null,
      tenantSinks: null,
      auditFile: null,
    });
  });

  it('reads every setting', () => {
    const config = loadSiemExporterConfig({
      ...splunk,
      REDIS_URL: 'rediss://redis.internal:6380',
      MCPG_REDIS_KEY_PREFIX: 'eu1:',
      SPLUNK_INDEX: 'mcpg_audit',
      SPLUNK_SOURCETYPE: 'mcpg:audit:v1',
      SPLUNK_SOURCE: 'mcp-guard-eu',
      SPLUNK_HEC_TIMEOUT_MS: '2500',
      MCPG_AUDIT_FILE: '/var/log/mcpg/audit.jsonl',
      EXPORTER_CONCURRENCY: '16',
      EXPORTER_SINK_CONCURRENCY: '2',
      EXPORTER_SINK_SWEEP_MS: '1000',
      EXPORTER_SINK_IDLE_MS: '60000',
      EXPORTER_SINK_QUEUES: 'always',
      EXPORTER_ATTEMPTS: '5',
      EXPORTER_BACKOFF_MS: '250',
      EXPORTER_BACKOFF_MAX_MS: '60000',
      EXPORTER_LOCK_MS: '5000',
      SPLUNK_HEC_ACK: 'true',
      SPLUNK_HEC_ACK_TIMEOUT_MS: '30000',
      SPLUNK_HEC_ACK_POLL_MS: '250',
      ELASTIC_URL: 'https://es.internal:9200',
      ELASTIC_API_KEY: 'secret-es-key',
      ELASTIC_INDEX: 'logs-mcpg.audit-default',
      ELASTIC_TIMEOUT_MS: '4000',
    });
    expect(config).toMatchObject({
      redisUrl: 'rediss://redis.internal:6380',
      redisKeyPrefix: 'eu1:',
      concurrency: 16,
      sinkConcurrency: 2,
      sinkSweepMs: 1000,
      sinkIdleMs: 60_000,
      sinkQueues: 'always',
      attempts: 5,
      backoffMs: 250,
      backoffMaxMs: 60_000,
      lockMs: 5000,
      splunk: { index: 'mcpg_audit', sourcetype: 'mcpg:audit:v1', source: 'mcp-guard-eu', timeoutMs: 2500, ack: { timeoutMs: 30_000, pollMs: 250 } },
      elastic: { url: 'https://es.internal:9200', auth: { apiKey: 'secret-es-key' }, index: 'logs-mcpg.audit-default', timeoutMs: 4000 },
      auditFile: '/var/log/mcpg/audit.jsonl',
    });
  });

  it('accepts a JSON Lines file as the only sink, and treats empty variables as unset', () => {
    const config = loadSiemExporterConfig({ MCPG_AUDIT_FILE: './audit.jsonl', SPLUNK_HEC_URL: '', SPLUNK_HEC_TOKEN: '', EXPORTER_ATTEMPTS: '' });
    expect(config.splunk).toBeNull();
    expect(config.auditFile).toBe('./audit.jsonl');
    expect(config.attempts).toBe(10);
  });

  it('accepts Elastic with basic auth as the only sink, and requires one kind of credentials', () => {
    expect(loadSiemExporterConfig({ ELASTIC_URL: 'http://es:9200', ELASTIC_USERNAME: 'mcpg', ELASTIC_PASSWORD: 'pw' }).elastic).toEqual({
      url: 'http://es:9200',
      auth: { username: 'mcpg', password: 'pw' },
      index: 'mcpg-audit',
      timeoutMs: 10_000,
    });
    expect(() => loadSiemExporterConfig({ ELASTIC_URL: 'http://es:9200' })).toThrow(/ELASTIC_API_KEY: ELASTIC_URL needs either/);
    expect(() => loadSiemExporterConfig({ ELASTIC_URL: 'http://es:9200', ELASTIC_API_KEY: 'k', ELASTIC_INDEX: 'Audit' })).toThrow(/ELASTIC_INDEX/);
  });

  it('accepts a signed webhook as the only sink, and requires its secret', () => {
    expect(loadSiemExporterConfig({ WEBHOOK_URL: 'https://siem.example.com/hook', WEBHOOK_SECRET: 'a-long-enough-secret' }).webhook).toEqual({
      url: 'https://siem.example.com/hook',
      secret: 'a-long-enough-secret',
      timeoutMs: 10_000,
    });
    expect(() => loadSiemExporterConfig({ WEBHOOK_URL: 'https://siem.example.com/hook' })).toThrow(/WEBHOOK_URL and WEBHOOK_SECRET go together/);
    expect(() => loadSiemExporterConfig({ WEBHOOK_URL: 'https://siem.example.com/hook', WEBHOOK_SECRET: 'short' })).toThrow(/WEBHOOK_SECRET: must be at least 16/);
  });

  it('refuses to start without any sink', () => {
    expect(() => loadSiemExporterConfig({})).toThrow(/no sink configured/);
  });

  it('requires the HEC URL and token together, without echoing the token', () => {
    let error: unknown;
    try {
      loadSiemExporterConfig({ SPLUNK_HEC_TOKEN: 'secret-hec-token', MCPG_AUDIT_FILE: 'a.jsonl' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('SPLUNK_HEC_URL and SPLUNK_HEC_TOKEN go together');
    expect((error as Error).message).not.toContain('secret-hec-token');
  });

  it('names each invalid variable', () => {
    expect(() => loadSiemExporterConfig({ ...splunk, REDIS_URL: 'http://redis:6379', EXPORTER_CONCURRENCY: '0', SPLUNK_HEC_URL: 'splunk:8088' })).toThrow(
      /REDIS_URL: .*SPLUNK_HEC_URL: .*EXPORTER_CONCURRENCY: /,
    );
    expect(() => loadSiemExporterConfig({ ...splunk, EXPORTER_SINK_CONCURRENCY: '0', EXPORTER_SINK_QUEUES: 'never' })).toThrow(/EXPORTER_SINK_CONCURRENCY: .*EXPORTER_SINK_QUEUES: /);
    expect(() => loadSiemExporterConfig({ ...splunk, EXPORTER_BACKOFF_MS: '5000', EXPORTER_BACKOFF_MAX_MS: '1000' })).toThrow(/EXPORTER_BACKOFF_MAX_MS: must be at least EXPORTER_BACKOFF_MS/);
  });
});
