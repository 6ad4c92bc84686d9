import type { Principal } from '@mcpg/auth';
import type { Logger } from '@mcpg/observability';
import type { CompiledPolicy, SnapshotServer, ToolAccess } from '@mcpg/policy';
import type { TokenBucketMap } from '@mcpg/ratelimit';
import type { Dispatcher } from 'undici';
import type { AuditFields, AuditRecorder } from './audit-recorder.js';
import type { ProxyIdentityServices } from './authenticate-request.js';
import type { ProxyConfig } from './config.js';
import type { ProxyMetrics } from './proxy-metrics.js';
import type { SnapshotStore } from './snapshot-store.js';
import type { TenantRedaction } from './tenant-redaction.js';

/** Everything the request path needs, built once at start-up. */
export interface ProxyDeps {
  readonly config: ProxyConfig;
  readonly store: SnapshotStore;
  readonly buckets: TokenBucketMap;
  readonly recorder: AuditRecorder;
  readonly upstream: Dispatcher;
  readonly metrics: ProxyMetrics;
  readonly log: Logger;
  readonly identity: ProxyIdentityServices;
  readonly redaction: TenantRedaction;
}

/** One authenticated MCP request. `audit` fills in tenant, principal, server and timing. */
export interface McpRequestContext {
  readonly policy: CompiledPolicy;
  readonly server: SnapshotServer;
  readonly principal: Principal;
  /** What the principal may call (its API key's rule, or its scopes' rules). */
  readonly key: ToolAccess;
  bytesIn: number;
  bytesOut: number;
  audit(fields: AuditFields): void;
}
