import type { Principal } from '@mcpg/auth';
import type { Logger } from '@mcpg/observability';
import type { CompiledPolicy, SnapshotServer, ToolAccess } from '@mcpg/policy';
import type { TokenBucketMap } from '@mcpg/ratelimit';
import type { Dispatcher } from 'undici';
import type { AuditFields, AuditRecorder } from './audit-recorder.js';
import type { ProxyIdentityServices } from './authenticate-request.js';
import type { ProxyConfig } from './config.js';
import type { CircuitBreakers } from './circuit-breaker.js';
import type { LegacyStream } from './legacy-sse.js';
import type { ProxyMetrics } from './proxy-metrics.js';
import type { RequestLimits } from './request-limits.js';
import type { SessionSealer } from './session-seal.js';
import type { LegacyRelay } from './snapshot-source.js';
import type { StdioSessions } from './stdio-route.js';
import type { SnapshotStore } from './snapshot-store.js';
import type { TenantRedaction } from './tenant-redaction.js';

/** Everything the request path needs, built once at start-up. */
export interface ProxyDeps {
  readonly config: ProxyConfig;
  readonly store: SnapshotStore;
  readonly buckets: TokenBucketMap;
  readonly recorder: AuditRecorder;
  readonly upstream: Dispatcher;
  /** The upstream dispatcher for a connect timeout (tenants may set their own). */
  dispatcherFor(connectTimeoutMs: number): Dispatcher;
  readonly sessions: SessionSealer;
  readonly circuits: CircuitBreakers;
  /** Legacy SSE streams open on this proxy, by the sealed session id the client posts with. */
  readonly legacyStreams: Map<string, LegacyStream>;
  /** Reaches legacy streams held by other proxies of the region; null when running alone. */
  readonly legacyRelay: LegacyRelay | null;
  readonly stdio: StdioSessions;
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
  /** What the principal may use (its API key's rule, or its scopes' rules). */
  readonly key: ToolAccess;
  readonly limits: RequestLimits;
  /** The session the client presented (sealed id) and the upstream's id inside it; null without one. */
  readonly session: { clientId: string; upstreamId: string } | null;
  bytesIn: number;
  bytesOut: number;
  /** Records an event; returns its id. */
  audit(fields: AuditFields): string;
}
