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
  readonly tenants: Gauge;
  readonly snapshotsRejected: Gauge;

  constructor(tenantCount: () => number, rejectedCount: () => number) {
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
