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
    // Sinks the tenant no longer lists are closed once no cached list refers to them.
    const previous = this.tenants.get(tenantId)?.sinks ?? [];
    this.tenants.set(tenantId, { at: Date.now(), sinks });
    for (const sink of previous) if (!sinks.includes(sink)) await this.retire(sink);
    return sinks;
  }

  private async retire(sink: AuditSink): Promise<void> {
    for (const cached of this.tenants.values()) if (cached.sinks.includes(sink)) return;
    for (const [id, entry] of this.instances) if (entry.sink === sink) this.instances.delete(id);
    // Deliveries still using it fail and are retried with the new instance.
    await sink.close?.();
  }

  async close(): Promise<void> {
    const open = new Set([...this.instances.values()].map((entry) => entry.sink));
    for (const cached of this.tenants.values()) for (const sink of cached.sinks) open.add(sink);
    await Promise.all([...open].map((sink) => sink.close?.()));
    this.instances.clear();
    this.tenants.clear();
  }

  private async instanceFor(listed: SnapshotSink): Promise<AuditSink> {
    const fingerprint = JSON.stringify(listed);
    const existing = this.instances.get(listed.id);
    if (existing?.fingerprint === fingerprint) return existing.sink;
    const name = `tenant-sink:${listed.id}`;
    const sealed = await this.options.redis.hget(sinkSecretsKey(this.options.names), listed.id);
    if (!sealed) throw new SinkDeliveryError(name, 'rejected', `credentials of sink "${listed.name}" are not in redis yet`);
    const sink = this.build(name, listed, openSinkSecret(this.options.secretKey, listed.id, sealed));
    // The replaced instance is closed by `retire` once no cached sink list refers to it.
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
