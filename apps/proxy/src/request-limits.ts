import type { CompiledPolicy, TenantLimits } from '@mcpg/policy';
import type { ProxyConfig } from './config.js';

/** The limits in force for one tenant: its own overrides, else the proxy's defaults. */
export type RequestLimits = Required<TenantLimits>;

const cache = new WeakMap<CompiledPolicy, RequestLimits>();

/** Computed once per snapshot (cached on the compiled policy), not per request. */
export function limitsFor(config: ProxyConfig, policy: CompiledPolicy): RequestLimits {
  let limits = cache.get(policy);
  if (!limits) {
    const t = policy.limits;
    limits = {
      maxBodyBytes: t.maxBodyBytes ?? config.maxBodyBytes,
      maxJsonDepth: t.maxJsonDepth ?? config.maxJsonDepth,
      maxBatchLength: t.maxBatchLength ?? config.maxBatchLength,
      maxHeaderBytes: t.maxHeaderBytes ?? config.maxHeaderBytes,
      upstreamConnectTimeoutMs: t.upstreamConnectTimeoutMs ?? config.upstreamConnectTimeoutMs,
      upstreamResponseTimeoutMs: t.upstreamResponseTimeoutMs ?? config.upstreamResponseTimeoutMs,
      sseIdleTimeoutMs: t.sseIdleTimeoutMs ?? config.sseIdleTimeoutMs,
    };
    cache.set(policy, limits);
  }
  return limits;
}
