import { createHmac } from 'node:crypto';
import { Redactor } from '@mcpg/audit';
import type { Logger } from '@mcpg/observability';
import type { CompiledPolicy } from '@mcpg/policy';

/** What redaction does for one tenant snapshot, built once and reused by every request. */
export interface TenantRedactors {
  /** Tool arguments before they enter an audit event: removal, or keyed hashing if chosen. */
  readonly audit: Redactor;
  /** Replies to clients, when the tenant turned it on: always removal. */
  readonly responses: Redactor | null;
  /** The byte cap on tool results in `tool.result` events (redacted by `audit`), or null when the tenant keeps them out. */
  readonly toolResultMaxBytes: number | null;
}

/**
 * Builds each tenant's redactors from its snapshot on first use and keeps them with the
 * compiled policy object (a new snapshot is a new object, so settings changes apply at once).
 *
 * Keyed hashing uses HMAC-SHA256 with a per-tenant key derived from the proxy's
 * `MCPG_REDACTION_HASH_KEY` (HMAC(key, tenantId)): equal values correlate within a tenant, never
 * across tenants, and the key is in no snapshot or event. Without that key configured a tenant's
 * hashing choice falls back to removal, which loses correlation but never leaks.
 */
export class TenantRedaction {
  private readonly cache = new WeakMap<CompiledPolicy, TenantRedactors>();
  private readonly plain = new Redactor();

  constructor(
    private readonly hashKey: Buffer | null,
    private readonly log: Logger,
  ) {}

  forPolicy(policy: CompiledPolicy): TenantRedactors {
    const cached = this.cache.get(policy);
    if (cached) return cached;
    const built = this.build(policy);
    this.cache.set(policy, built);
    return built;
  }

  private build(policy: CompiledPolicy): TenantRedactors {
    const settings = policy.snapshot.redaction;
    if (!settings) return { audit: this.plain, responses: null, toolResultMaxBytes: null };
    let customPatterns = settings.customPatterns;
    try {
      new Redactor({ customPatterns });
    } catch (err) {
      // Checked when saved; a pattern this runtime cannot compile is skipped rather than failing the tenant.
      this.log.error('tenant redaction patterns do not compile; using built-in detectors only', { tenantId: policy.tenantId, err });
      customPatterns = [];
    }
    let hashKey: Buffer | null = null;
    if (settings.argumentValues === 'hash') {
      if (this.hashKey) hashKey = createHmac('sha256', this.hashKey).update(policy.tenantId).digest();
      else this.log.warn('tenant chose keyed hashing but MCPG_REDACTION_HASH_KEY is not set; removing values instead', { tenantId: policy.tenantId });
    }
    return {
      audit: new Redactor({ customPatterns, hashKey }),
      responses: settings.redactResponses ? new Redactor({ customPatterns }) : null,
      toolResultMaxBytes: settings.auditToolResults === 'on' ? settings.auditToolResultMaxBytes : null,
    };
  }
}
