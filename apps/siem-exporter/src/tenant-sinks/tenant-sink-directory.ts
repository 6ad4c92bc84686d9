import { openSinkSecret, sinkSecretsKey, type SinkSecret } from '@mcpg/audit';
import type { BusNames } from '@mcpg/bus';
import type { Logger } from '@mcpg/observability';
import { verifySnapshot, type SnapshotSink } from '@mcpg/policy';
import type { Redis } from 'ioredis';
import type { CryptoKey } from 'jose';
import type { TenantSinkSource } from '../audit-export-worker.js';
import { SinkDeliveryError, type AuditSink } from '../sinks/audit-sink.js';
import { ElasticBulkSink } from '../sinks/elastic-bulk-sink.js';
import { SplunkHecSink } from '../sinks/splunk-hec-sink.js';
import { WebhookSink } from '../sinks/webhook-sink.js';

export interface TenantSinkDirectoryOptions {
  redis: Redis;
  names: BusNames;
  /** Keys the control plane signs snapshots with: a sink list must verify like a policy does. */
  verificationKeys: readonly CryptoKey[];
  /** Opens the sealed credentials (`MCPG_SINK_SECRET_KEY`). */
  secretKey: Buffer;
  /** How long a tenant's sink list is reused before the snapshot is read again. */
  cacheMs: number;
  timeoutMs: number;
  logger: Logger;
}

/**
 * Finds each tenant's own sinks: reads the tenant's signed snapshot from Redis (verified with the
 * same keys as the proxies use), and for each sink listed there, its sealed credentials from
 * `mcpg:sink-secrets`. Sink instances are kept while their settings and `secretVersion` stay the
 * same, so connections are reused. Sinks are named `tenant-sink:<id>` in job progress.
 */
export class TenantSinkDirectory implements TenantSinkSource {
  private readonly tenants = new Map<string, { at: number; sinks: readonly AuditSink[] }>();
  private readonly instances = new Map<string, { fingerprint: string; sink: AuditSink }>();

  constructor(private readonly options: TenantSinkDirectoryOptions) {}

  async sinksFor(tenantId: string): Promise<readonly AuditSink[]> {
    const cached = this.tenants.get(tenantId);
    if (cached && Date.now() - cached.at < this.options.cacheMs) return cached.sinks;
    const jws = await this.options.redis.get(this.options.names.snapshotKey(tenantId));
    const listed = jws ? ((await verifySnapshot(jws, this.options.verificationKeys)).sinks ?? []) : [];
    const sinks = await Promise.all(listed.map((s) => this.instanceFor(s)));
    this.tenants.set(tenantId, { at: Date.now(), sinks });
    return sinks;
  }

  async close(): Promise<void> {
    await Promise.all([...this.instances.values()].map(({ sink }) => sink.close?.()));
    this.instances.clear();
  }

  private async instanceFor(listed: SnapshotSink): Promise<AuditSink> {
    const fingerprint = JSON.stringify(listed);
    const existing = this.instances.get(listed.id);
    if (existing?.fingerprint === fingerprint) return existing.sink;
    const name = `tenant-sink:${listed.id}`;
    const sealed = await this.options.redis.hget(sinkSecretsKey(this.options.names), listed.id);
    if (!sealed) throw new SinkDeliveryError(name, 'rejected', `credentials of sink "${listed.name}" are not in redis yet`);
    const sink = this.build(name, listed, openSinkSecret(this.options.secretKey, listed.id, sealed));
    await existing?.sink.close?.();
    this.instances.set(listed.id, { fingerprint, sink });
    this.options.logger.info('tenant sink loaded', { sink: name, kind: listed.kind, secretVersion: listed.secretVersion });
    return sink;
  }

  private build(name: string, listed: SnapshotSink, secret: SinkSecret): AuditSink {
    const { timeoutMs } = this.options;
    switch (listed.kind) {
      case 'splunk_hec':
        if (!('token' in secret)) break;
        return new SplunkHecSink({
          name,
          url: listed.url,
          token: secret.token,
          ...(listed.index ? { index: listed.index } : {}),
          sourcetype: listed.sourcetype ?? 'mcpg:audit',
          source: listed.source ?? 'mcp-guard',
          timeoutMs,
          ...(listed.ack ? { ack: { timeoutMs: 60_000, pollMs: 1_000 } } : {}),
        });
      case 'elastic':
        if (!('apiKey' in secret) && !('password' in secret)) break;
        return new ElasticBulkSink({ name, url: listed.url, auth: secret, index: listed.index ?? 'mcpg-audit', timeoutMs });
      case 'webhook':
        if (!('hmacSecret' in secret)) break;
        return new WebhookSink({ name, url: listed.url, secret: secret.hmacSecret, timeoutMs });
    }
    throw new SinkDeliveryError(name, 'rejected', `credentials of sink "${listed.name}" do not fit its kind ${listed.kind}`);
  }
}
