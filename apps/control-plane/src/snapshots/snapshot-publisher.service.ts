import type { Prisma, PrismaClient } from '@mcpg/db';
import type { Logger } from '@mcpg/observability';
import { compileSnapshot, isSnapshotSealedUnderCurrentKey, signSnapshot, type SecretsKeyRing, type TenantSnapshot } from '@mcpg/policy';
import { Inject, Injectable } from '@nestjs/common';
import type { CryptoKey } from 'jose';
import type { ControlPlaneConfig } from '../config.js';
import { CONTROL_PLANE_CONFIG, LOGGER, PRISMA, SNAPSHOT_SIGNING_KEY } from '../control-plane.tokens.js';
import { conflict, notFound } from '../errors/admin-error.js';
import { toIdentityProviderConfig } from '../identity-providers/identity-provider.snapshot.js';
import { toSnapshotRedaction } from '../redaction/snapshot-redaction.js';
import { RegionBuses, type RegionBus } from '../regions/region-buses.js';
import { toSnapshotSink } from '../sinks/snapshot-sink.js';
import { stdioCommandOf } from '../servers/stdio-command.js';
import { snapshotCredentialOf } from '../servers/stored-credential.js';
import { tenantLimitsOf } from '../tenants/tenant-limits.js';
import { decodeStoredSnapshot } from '../versions/stored-snapshot.js';

export type Tx = Prisma.TransactionClient;

/** Changes to one tenant queue on its lock inside the transaction, so allow more than Prisma's 5 s. */
const TRANSACTION_OPTIONS = { maxWait: 5_000, timeout: 15_000 };

interface StoredSnapshot {
  tenantId: string;
  version: number;
  jws: string;
}

export interface ChangeOptions {
  /** Optimistic concurrency: refuse with CONFLICT unless the tenant's latest version is this one. */
  readonly expectedVersion?: number | null;
}

/**
 * Turns every change to a tenant into its next signed snapshot (DESIGN.md §6) and publishes it
 * to every region the tenant runs in.
 *
 * The change, the compile, the version number and the Snapshot row share one transaction that
 * holds a per-tenant advisory lock, so concurrent changes to one tenant get strictly increasing
 * versions and each snapshot contains every change committed before it. Redis is written only
 * after the commit: a version announced to proxies must never be rolled back, or the next change
 * would reuse its number with other content and proxies (which ignore versions they have) would
 * keep the wrong one. If that publish fails the change still stands; `republishAll` on start-up
 * (and after Redis reconnects) brings every region back in step with the database.
 */
@Injectable()
export class SnapshotPublisherService {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(RegionBuses) private readonly buses: RegionBuses,
    @Inject(SNAPSHOT_SIGNING_KEY) private readonly signingKey: CryptoKey,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Runs `apply` against tenant `tenantId` and publishes the tenant's next snapshot with it.
   * `apply` may create the tenant (the lock does not need the row to exist).
   */
  async change<T>(tenantId: string, apply: (tx: Tx) => Promise<T>, options: ChangeOptions = {}): Promise<T> {
    const { result, snapshot } = await this.locked(tenantId, async (tx) => {
      if (options.expectedVersion != null) {
        const current = await latestVersion(tx, tenantId);
        if (current !== options.expectedVersion) {
          throw conflict('expectedVersion', `tenant is at snapshot version ${current}, not ${options.expectedVersion}; reload and retry`);
        }
      }
      const result = await apply(tx);
      const snapshot = await this.storeNextSnapshot(tx, tenantId);
      return { result, snapshot };
    });
    await this.publishToTenantRegions(snapshot);
    return result;
  }

  /**
   * Applies `apply` and compiles the result like `change`, then rolls everything back: nothing
   * is stored or published. Returns the snapshot that would have been published and the
   * currently latest stored one (to diff against), if any.
   */
  async dryRun(tenantId: string, apply: (tx: Tx) => Promise<unknown>): Promise<{ wouldPublish: TenantSnapshot; latestJws: string | null }> {
    const outcome = await this.locked(tenantId, async (tx) => {
      const tenant = await tx.tenant.findUnique({ where: { id: tenantId } });
      if (!tenant) throw notFound('tenantId', 'tenant');
      const latest = await tx.snapshot.findFirst({ where: { tenantId }, orderBy: { version: 'desc' } });
      await apply(tx);
      const wouldPublish = await compileTenant(tx, tenant, (latest?.version ?? 0) + 1, this.config.upstreamCredentialsKey ?? null);
      throw new DryRunRollback({ wouldPublish, latestJws: latest?.jws ?? null });
    }).catch((err: unknown) => {
      if (err instanceof DryRunRollback) return err.outcome;
      throw err;
    });
    return outcome as { wouldPublish: TenantSnapshot; latestJws: string | null };
  }

  /** Runs `work` in a transaction holding the tenant's lock (no snapshot is made). */
  locked<T>(tenantId: string, work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(async (tx) => {
      // Keyed by the tenant id; a hash collision only serialises two tenants, never mixes them.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${tenantId}, 0))`;
      return work(tx);
    }, TRANSACTION_OPTIONS);
  }

  /** The regions' buses a tenant is published to (the default region's when it is placed in none). */
  async targetsOf(tenantId: string, db: Tx | PrismaClient = this.prisma): Promise<RegionBus[]> {
    const placements = await db.tenantRegion.findMany({ where: { tenantId }, include: { region: true } });
    return this.buses.targets(placements.map((p) => p.region));
  }

  /** Publishes the tenant's latest stored snapshot to its regions, unless it is suspended. */
  async publishLatest(tenantId: string): Promise<void> {
    const latest = await this.prisma.snapshot.findFirst({ where: { tenantId }, orderBy: { version: 'desc' } });
    if (latest) await this.publishToTenantRegions(latest);
  }

  /** Tombstones the tenant on the given buses: proxies there stop serving it. */
  async withdraw(tenantId: string, buses: readonly RegionBus[]): Promise<void> {
    for (const bus of buses) {
      try {
        await bus.publisher.remove(tenantId);
        this.logger.info('snapshot withdrawn', { tenantId, region: bus.regionName });
      } catch (err) {
        this.logger.error('snapshot withdrawal failed; it is retried on the next start or reconnect', { tenantId, region: bus.regionName, err });
      }
    }
  }

  /**
   * After MCPG_UPSTREAM_CREDENTIALS_KEY is rotated: compiles a new version of every tenant whose
   * latest snapshot still carries secrets sealed under an older key, so that proxies can drop
   * that key. Run on start, after the stored secrets were sealed again. Returns the tenants.
   */
  async resealStaleSnapshots(): Promise<string[]> {
    const ring = this.config.upstreamCredentialsKey;
    if (!ring) return [];
    const latest = await this.prisma.$queryRaw<StoredSnapshot[]>`
      SELECT DISTINCT ON (s."tenantId") s."tenantId"::text AS "tenantId", s.version, s.jws
      FROM "Snapshot" s ORDER BY s."tenantId", s.version DESC`;
    const stale = latest.filter((row) => !isSnapshotSealedUnderCurrentKey(ring, decodeStoredSnapshot(row.jws))).map((row) => row.tenantId);
    for (const tenantId of stale) {
      try {
        await this.change(tenantId, async () => undefined);
      } catch (err) {
        this.logger.error('could not seal a tenant snapshot again under the current key', { tenantId, err });
      }
    }
    if (stale.length > 0) this.logger.info('snapshots compiled again under the current secrets key', { tenants: stale.length });
    return stale;
  }

  /**
   * Brings every region in step with the database: the newest snapshot of each active tenant to
   * each of its regions, and a tombstone for every tenant a region still lists but should not
   * (moved away, suspended or deleted while that region's Redis was unreachable).
   */
  async republishAll(): Promise<{ tenants: number; published: number }> {
    const latest = await this.prisma.$queryRaw<StoredSnapshot[]>`
      SELECT DISTINCT ON (s."tenantId") s."tenantId"::text AS "tenantId", s.version, s.jws
      FROM "Snapshot" s JOIN "Tenant" t ON t.id = s."tenantId"
      WHERE t."suspendedAt" IS NULL
      ORDER BY s."tenantId", s.version DESC`;
    const placements = await this.prisma.tenantRegion.findMany({ include: { region: true } });
    const regions = await this.prisma.region.findMany();
    const regionsByTenant = new Map<string, typeof placements>();
    for (const p of placements) regionsByTenant.set(p.tenantId, [...(regionsByTenant.get(p.tenantId) ?? []), p]);
    const wanted = new Map<string, { bus: RegionBus; tenants: Set<string> }>();
    for (const bus of [this.buses.defaultBus, ...regions.map((r) => this.buses.busFor(r))]) wanted.set(bus.key, { bus, tenants: new Set() });
    let published = 0;
    // A bus that failed once in this pass is unreachable: skip it rather than wait on it per tenant.
    const unreachable = new Set<string>();
    for (const snapshot of latest) {
      const targets = this.buses.targets((regionsByTenant.get(snapshot.tenantId) ?? []).map((p) => p.region));
      for (const bus of targets) wanted.get(bus.key)?.tenants.add(snapshot.tenantId);
      const reachable = targets.filter((bus) => !unreachable.has(bus.key));
      const accepted = await this.publishTo(snapshot, reachable, unreachable);
      if (accepted === targets.length) published += 1;
    }
    for (const { bus, tenants } of wanted.values()) {
      if (unreachable.has(bus.key)) continue;
      const manifest = await bus.publisher.manifest().catch(() => new Map<string, number>());
      const stale = [...manifest.keys()].filter((tenantId) => !tenants.has(tenantId));
      if (stale.length > 0) await Promise.all(stale.map((tenantId) => this.withdraw(tenantId, [bus])));
    }
    const outcome = { tenants: latest.length, published };
    if (published === latest.length) this.logger.info('republished latest snapshots', outcome);
    else this.logger.error('republishing snapshots incomplete: a region is unavailable', outcome);
    return outcome;
  }

  private async publishToTenantRegions(snapshot: StoredSnapshot): Promise<void> {
    const tenant = await this.prisma.tenant.findUnique({ where: { id: snapshot.tenantId }, select: { suspendedAt: true } });
    // A suspended tenant's changes are stored but reach no proxy until it is resumed.
    if (!tenant || tenant.suspendedAt) return;
    await this.publishTo(snapshot, await this.targetsOf(snapshot.tenantId));
  }

  private async storeNextSnapshot(tx: Tx, tenantId: string): Promise<StoredSnapshot> {
    const tenant = await tx.tenant.findUnique({ where: { id: tenantId } });
    if (!tenant) throw notFound('tenantId', 'tenant');
    const version = (await latestVersion(tx, tenantId)) + 1;
    const compiled = await compileTenant(tx, tenant, version, this.config.upstreamCredentialsKey ?? null);
    const jws = await signSnapshot(compiled, this.signingKey, this.config.snapshotKeyId);
    await tx.snapshot.create({ data: { tenantId, version, jws, createdAt: new Date(compiled.createdAt) } });
    return { tenantId, version, jws };
  }

  /** How many of `buses` accepted the snapshot (or already had it, or something newer). */
  private async publishTo(snapshot: StoredSnapshot, buses: readonly RegionBus[], failed?: Set<string>): Promise<number> {
    let accepted = 0;
    for (const bus of buses) {
      try {
        const isNewer = await bus.publisher.publish(snapshot.tenantId, snapshot.version, snapshot.jws);
        this.logger.info(isNewer ? 'snapshot published' : 'snapshot already in redis', {
          tenantId: snapshot.tenantId,
          version: snapshot.version,
          region: bus.regionName,
        });
        accepted += 1;
      } catch (err) {
        failed?.add(bus.key);
        this.logger.error('snapshot publish to redis failed; it will be republished on the next start or reconnect', {
          tenantId: snapshot.tenantId,
          version: snapshot.version,
          region: bus.regionName,
          err,
        });
      }
    }
    return accepted;
  }
}

/** Thrown to roll a dry run's transaction back while carrying its result out. */
class DryRunRollback {
  constructor(readonly outcome: { wouldPublish: TenantSnapshot; latestJws: string | null }) {}
}

async function latestVersion(tx: Tx, tenantId: string): Promise<number> {
  const latest = await tx.snapshot.aggregate({ where: { tenantId }, _max: { version: true } });
  return latest._max.version ?? 0;
}

/** The tenant's model as it stands in `tx`, compiled; also used by dry runs. */
export async function compileTenant(
  tx: Tx,
  tenant: { id: string; slug: string; limits: unknown; allowedOrigins: string[] },
  version: number,
  /** Opens stored upstream credentials and identity provider secrets, and seals them for proxies. */
  upstreamCredentialsKey: SecretsKeyRing | null,
): Promise<TenantSnapshot> {
  // One query at a time: a Prisma `include` here would run its relation queries concurrently on
  // the transaction's single connection, which node-postgres deprecates.
  const servers = await tx.upstreamServer.findMany({ where: { tenantId: tenant.id } });
  const apiKeys = await tx.apiKey.findMany({ where: { tenantId: tenant.id } });
  const toolRules = await tx.toolRule.findMany({ where: { tenantId: tenant.id } });
  const denyRules = await tx.denyRule.findMany({ where: { tenantId: tenant.id } });
  const identityProviders = (await tx.identityProvider.findMany({ where: { tenantId: tenant.id } })).map((row) => toIdentityProviderConfig(row, upstreamCredentialsKey));
  const redactionRow = await tx.redactionSettings.findUnique({ where: { tenantId: tenant.id } });
  const redaction = redactionRow ? toSnapshotRedaction(redactionRow) : null;
  return compileSnapshot(
    {
      tenant,
      servers: servers.map((server) => ({ ...server, stdio: stdioCommandOf(server), credential: snapshotCredentialOf(upstreamCredentialsKey, server) ?? null })),
      apiKeys,
      toolRules,
      denyRules,
      identityProviders,
      redaction,
      limits: tenantLimitsOf(tenant),
      allowedOrigins: tenant.allowedOrigins,
      sinks: (await tx.auditSink.findMany({ where: { tenantId: tenant.id } })).map(toSnapshotSink),
    },
    version,
    new Date(),
    { secretsKey: upstreamCredentialsKey },
  );
}
