import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one proxy. A registry per instance so several proxies can share a process in tests. */
export class ProxyMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'mcpg_proxy_http_requests_total',
    help: 'HTTP requests on MCP routes by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly auditEvents = new Counter({
    name: 'mcpg_proxy_audit_events_total',
    help: 'Audit events emitted by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly auditSpooledEvents = new Counter({
    name: 'mcpg_proxy_audit_spooled_events_total',
    help: 'Audit events written to the local spool because Redis was unreachable (or a backlog was ahead of them)',
    registers: [this.registry],
  });
  readonly auditRefusedEvents = new Counter({
    name: 'mcpg_proxy_audit_refused_events_total',
    help: 'Audit events lost because the local spool was full',
    registers: [this.registry],
  });
  readonly auditReplayedBatches = new Counter({
    name: 'mcpg_proxy_audit_spool_replayed_batches_total',
    help: 'Spooled audit batches handed to the queue after Redis returned',
    registers: [this.registry],
  });
  readonly redactedValues = new Counter({
    name: 'mcpg_proxy_redacted_values_total',
    help: 'Secrets redacted: in audited tool arguments (where=arguments) or results (where=result), or in responses to clients (where=response)',
    labelNames: ['where'] as const,
    registers: [this.registry],
  });
  readonly tenants: Gauge;
  readonly auditSpoolBytes: Gauge;
  readonly snapshotsRejected: Gauge;

  constructor(tenantCount: () => number, rejectedCount: () => number, spoolBytes: () => number = () => 0) {
    this.auditSpoolBytes = new Gauge({
      name: 'mcpg_proxy_audit_spool_bytes',
      help: 'Bytes of audit batches waiting in the local spool',
      registers: [this.registry],
      collect() {
        this.set(spoolBytes());
      },
    });
    this.tenants = new Gauge({ name: 'mcpg_proxy_tenants', help: 'Tenants with a snapshot in force', registers: [this.registry], collect() { this.set(tenantCount()); } });
    this.snapshotsRejected = new Gauge({
      name: 'mcpg_proxy_snapshots_rejected_total',
      help: 'Snapshots refused because they did not verify or compile',
      registers: [this.registry],
      collect() {
        this.set(rejectedCount());
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }
}
