import type { SnapshotSink } from '@mcpg/bus';
import type { Logger } from '@mcpg/observability';
import { compilePolicy, verifySnapshot, type CompiledPolicy, type SecretsKeyRing } from '@mcpg/policy';
import type { CryptoKey } from 'jose';

/**
 * The proxy's in-memory policy: one compiled snapshot per tenant, found by id or by slug.
 * A snapshot replaces the current one only if it verifies, compiles, and is newer; otherwise
 * the last good one stays in force (DESIGN.md §6).
 */
export class SnapshotStore implements SnapshotSink {
  private readonly byId = new Map<string, CompiledPolicy>();
  private readonly bySlug = new Map<string, CompiledPolicy>();
  rejectedCount = 0;
  /** Called after a snapshot is applied or a tenant removed. */
  onChange: (() => void) | undefined;

  constructor(
    private readonly publicKeys: readonly CryptoKey[],
    private readonly log: Logger,
    /** Opens upstream credentials sealed in snapshots, once per snapshot (never per request). */
    private readonly upstreamCredentialsKey: SecretsKeyRing | null = null,
  ) {}

  versionOf(tenantId: string): number {
    return this.byId.get(tenantId)?.version ?? 0;
  }

  /** Tenant id → version in force, for heartbeats. */
  versions(): Record<string, number> {
    return Object.fromEntries([...this.byId].map(([tenantId, policy]) => [tenantId, policy.version]));
  }

  findBySlug(slug: string): CompiledPolicy | undefined {
    return this.bySlug.get(slug);
  }

  get tenantCount(): number {
    return this.byId.size;
  }

  async offer(tenantId: string, jws: string): Promise<void> {
    let policy: CompiledPolicy;
    try {
      const snapshot = await verifySnapshot(jws, this.publicKeys);
      if (snapshot.tenantId !== tenantId) throw new Error(`snapshot for tenant ${snapshot.tenantId} stored under ${tenantId}`);
      policy = compilePolicy(snapshot, { upstreamCredentialsKey: this.upstreamCredentialsKey });
    } catch (err) {
      this.rejectedCount++;
      this.log.error('snapshot rejected; keeping the last good one', { tenantId, keptVersion: this.versionOf(tenantId), err });
      return;
    }
    // Verification is async: a newer version may have landed meanwhile.
    if (policy.version <= this.versionOf(tenantId)) return;
    const previous = this.byId.get(tenantId);
    if (previous && previous.tenantSlug !== policy.tenantSlug) this.bySlug.delete(previous.tenantSlug);
    this.byId.set(tenantId, policy);
    this.bySlug.set(policy.tenantSlug, policy);
    this.log.info('snapshot applied', { tenantId, version: policy.version });
    if (policy.unopenedCredentialServerIds.length > 0) {
      // The rest of the tenant keeps working; those upstreams get no credential (and will likely refuse).
      this.log.error('upstream credentials did not open (MCPG_UPSTREAM_CREDENTIALS_KEY missing or not the control plane\'s); sending none to those servers', {
        tenantId,
        version: policy.version,
        serverIds: policy.unopenedCredentialServerIds,
      });
    }
    if (policy.unopenedSecretProviderIds.length > 0) {
      // Those providers still verify what needs no secret (RS256, ES256, EdDSA); HS256 tokens and
      // opaque tokens needing introspection are refused for them until the key matches.
      this.log.error('identity provider secrets did not open (MCPG_UPSTREAM_CREDENTIALS_KEY missing or not the control plane\'s); those providers work without them', {
        tenantId,
        version: policy.version,
        providerIds: policy.unopenedSecretProviderIds,
      });
    }
    this.onChange?.();
  }

  remove(tenantId: string): void {
    const previous = this.byId.get(tenantId);
    if (!previous) return;
    this.byId.delete(tenantId);
    this.bySlug.delete(previous.tenantSlug);
    this.log.info('tenant removed', { tenantId });
    this.onChange?.();
  }
}
