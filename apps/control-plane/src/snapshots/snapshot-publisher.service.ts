import type { Prisma, PrismaClient } from '@mcpg/db';
import { SnapshotPublisher } from '@mcpg/bus';
import type { Logger } from '@mcpg/observability';
import { compileSnapshot, signSnapshot } from '@mcpg/policy';
import { Inject, Injectable } from '@nestjs/common';
import type { CryptoKey } from 'jose';
import type { ControlPlaneConfig } from '../config.js';
import { CONTROL_PLANE_CONFIG, LOGGER, PRISMA, SNAPSHOT_SIGNING_KEY } from '../control-plane.tokens.js';
import { notFound } from '../errors/admin-error.js';
import { toSnapshotRedaction } from '../redaction/snapshot-redaction.js';
import { toSnapshotSink } from '../sinks/snapshot-sink.js';

export type Tx = Prisma.TransactionClient;

/** Changes to one tenant queue on its lock inside the transaction, so allow more than Prisma's 5 s. */
const TRANSACTION_OPTIONS = { maxWait: 5_000, timeout: 15_000 };

interface StoredSnapshot {
  tenantId: string;
  version: number;
  jws: string;
}

/**
 * Turns every change to a tenant into its next signed snapshot (DESIGN.md §6).
 *
 * The change, the compile, the version number and the Snapshot row share one transaction that
 * holds a per-tenant advisory lock, so concurrent changes to one tenant get strictly increasing
 * versions and each snapshot contains every change committed before it. Redis is written only
 * after the commit: a version announced to proxies must never be rolled back, or the next change
 * would reuse its number with other content and proxies (which ignore versions they have) would
 * keep the wrong one. If that publish fails the change still stands; `republishAll` on start-up
 * (and after Redis reconnects) brings Redis back in step with the Snapshot table.
 */
@Injectable()
export class SnapshotPublisherService {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(SnapshotPublisher) private readonly bus: SnapshotPublisher,
    @Inject(SNAPSHOT_SIGNING_KEY) private readonly signingKey: CryptoKey,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Runs `apply` against tenant `tenantId` and publishes the tenant's next snapshot with it.
   * `apply` may create the tenant (the lock does not need the row to exist).
   */
  async change<T>(tenantId: string, apply: (tx: Tx) => Promise<T>): Promise<T> {
    const { result, snapshot } = await this.prisma.$transaction(async (tx) => {
      // Keyed by the tenant id; a hash collision only serialises two tenants, never mixes them.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${tenantId}, 0))`;
      const result = await apply(tx);
      const snapshot = await this.storeNextSnapshot(tx, tenantId);
      return { result, snapshot };
    }, TRANSACTION_OPTIONS);
    await this.publishLogged(snapshot);
    return result;
  }

  /**
   * Pushes the newest stored snapshot of every tenant to Redis; Redis keeps whichever is newer.
   * Stops at the first failure: Redis is then unreachable, and the next reconnect runs this again.
   */
  async republishAll(): Promise<{ tenants: number; published: number }> {
    const latest = await this.prisma.$queryRaw<StoredSnapshot[]>`
      SELECT DISTINCT ON ("tenantId") "tenantId"::text AS "tenantId", version, jws
      FROM "Snapshot" ORDER BY "tenantId", version DESC`;
    let published = 0;
    for (const snapshot of latest) {
      if (!(await this.publishLogged(snapshot))) break;
      published += 1;
    }
    const outcome = { tenants: latest.length, published };
    if (published === latest.length) this.logger.info('republished latest snapshots', outcome);
    else this.logger.error('republishing snapshots stopped: redis unavailable', outcome);
    return outcome;
  }

  private async storeNextSnapshot(tx: Tx, tenantId: string): Promise<StoredSnapshot> {
    const tenant = await tx.tenant.findUnique({ where: { id: tenantId } });
    if (!tenant) throw notFound('tenantId', 'tenant');
    // One query at a time: a Prisma `include` here would run its relation queries concurrently on
    // the transaction's single connection, which node-postgres deprecates.
    const servers = await tx.upstreamServer.findMany({ where: { tenantId } });
    const apiKeys = await tx.apiKey.findMany({ where: { tenantId } });
    const toolRules = await tx.toolRule.findMany({ where: { tenantId } });
    const redactionRow = await tx.redactionSettings.findUnique({ where: { tenantId } });
    const redaction = redactionRow ? toSnapshotRedaction(redactionRow) : null;
    const sinks = (await tx.auditSink.findMany({ where: { tenantId } })).map(toSnapshotSink);
    const latest = await tx.snapshot.aggregate({ where: { tenantId }, _max: { version: true } });
    const version = (latest._max.version ?? 0) + 1;
    const compiled = compileSnapshot({ tenant, servers, apiKeys, toolRules, redaction, sinks }, version);
    const jws = await signSnapshot(compiled, this.signingKey, this.config.snapshotKeyId);
    await tx.snapshot.create({ data: { tenantId, version, jws, createdAt: new Date(compiled.createdAt) } });
    return { tenantId, version, jws };
  }

  /** True when Redis accepted the snapshot or already had it (or something newer). */
  private async publishLogged(snapshot: StoredSnapshot): Promise<boolean> {
    try {
      const isNewer = await this.bus.publish(snapshot.tenantId, snapshot.version, snapshot.jws);
      this.logger.info(isNewer ? 'snapshot published' : 'snapshot already in redis', {
        tenantId: snapshot.tenantId,
        version: snapshot.version,
      });
      return true;
    } catch (err) {
      this.logger.error('snapshot publish to redis failed; it will be republished on the next start or reconnect', {
        tenantId: snapshot.tenantId,
        version: snapshot.version,
        err,
      });
      return false;
    }
  }
}
