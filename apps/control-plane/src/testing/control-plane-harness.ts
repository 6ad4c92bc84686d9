import { randomBytes, randomUUID } from 'node:crypto';
import type { AuditBatch, AuditEvent } from '@mcpg/audit';
import { busNames, type BusNames } from '@mcpg/bus';
import { createPrismaClient, type PrismaClient } from '@mcpg/db';
import { createLogger } from '@mcpg/observability';
import { generateSnapshotKeyPair, importVerificationKey, verifySnapshot, type TenantSnapshot } from '@mcpg/policy';
import { createTestDatabase } from '@mcpg/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { ControlPlaneConfig } from '../config.js';
import { startControlPlane, type RunningControlPlane } from '../control-plane.js';

export interface GraphQLErrorBody {
  message: string;
  extensions?: { code?: string; field?: string };
}

export interface GraphQLResponse<T> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: GraphQLErrorBody[];
}

/**
 * One real control plane per test file: its own database (cloned from the migrated template),
 * its own Redis key prefix on the shared Redis, and its own snapshot signing key.
 */
export class ControlPlaneHarness {
  /** Every log line the app wrote, so tests can check what was (and was not) logged. */
  readonly logLines: string[] = [];
  private readonly apps = new Set<RunningControlPlane>();
  private app: RunningControlPlane | undefined;

  private constructor(
    readonly config: ControlPlaneConfig,
    readonly names: BusNames,
    readonly publicKeyPem: string,
    readonly prisma: PrismaClient,
    readonly redis: Redis,
    private readonly dropDatabase: () => Promise<void>,
  ) {}

  static async start(name: string, overrides: Partial<ControlPlaneConfig> = {}): Promise<ControlPlaneHarness> {
    const database = await createTestDatabase(name);
    const keyPrefix = `test:cp:${randomUUID().slice(0, 8)}:`;
    const { privateKeyPem, publicKeyPem } = await generateSnapshotKeyPair();
    const config: ControlPlaneConfig = {
      databaseUrl: database.url,
      redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      redisKeyPrefix: keyPrefix,
      adminToken: randomBytes(24).toString('base64url'),
      snapshotSigningKeyPem: privateKeyPem,
      snapshotKeyId: 'test-key',
      defaultRegion: 'local',
      auditFlushMs: 20,
      maxQueryDepth: 8,
      maxQueryCost: 20_000,
      maxBodyBytes: 256 * 1024,
      host: '127.0.0.1',
      port: 0,
      isPlaygroundEnabled: false,
      // Test identity providers listen on 127.0.0.1 over http.
      allowLoopbackIdpUrls: true,
      sinkSecretKey: randomBytes(32),
      allowStdioUpstreams: false,
      upstreamCredentialsKey: randomBytes(32),
      ...overrides,
    };
    const harness = new ControlPlaneHarness(
      config,
      busNames(keyPrefix),
      publicKeyPem,
      createPrismaClient(database.url),
      new Redis(config.redisUrl),
      database.drop,
    );
    await harness.startApp();
    return harness;
  }

  get currentApp(): RunningControlPlane | undefined {
    return this.app;
  }

  get url(): string {
    if (!this.app) throw new Error('control plane is not running');
    return this.app.url;
  }

  /** Starts (another) control plane on the same database; the previous one keeps running until stopped. */
  async startApp(overrides: Partial<ControlPlaneConfig> = {}): Promise<RunningControlPlane> {
    const logger = createLogger({ service: 'control-plane' }, 'debug', (line) => this.logLines.push(line));
    const app = await startControlPlane({ ...this.config, ...overrides }, { logger });
    this.apps.add(app);
    this.app = app;
    return app;
  }

  async stopApp(app: RunningControlPlane): Promise<void> {
    await app.close();
    this.apps.delete(app);
    if (this.app === app) this.app = [...this.apps].at(-1);
  }

  /** Sends one GraphQL operation with the admin token (or `token`, or none when `null`). */
  async graphql<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    token: string | null = this.config.adminToken ?? null,
  ): Promise<GraphQLResponse<T>> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T | null; errors?: GraphQLErrorBody[] };
    return { status: response.status, headers: response.headers, ...body };
  }

  /** Like `graphql`, but fails the test on any error and returns `data`. */
  async ok<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    token: string | null = this.config.adminToken ?? null,
  ): Promise<T> {
    const result = await this.graphql<T>(query, variables, token);
    if (result.errors?.length || !result.data) {
      throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
    }
    return result.data;
  }

  async createTenant(slug = `t-${randomUUID().slice(0, 8)}`): Promise<{ id: string; slug: string }> {
    const data = await this.ok<{ createTenant: { id: string; slug: string } }>(
      'mutation($input: CreateTenantInput!) { createTenant(input: $input) { id slug } }',
      { input: { slug, name: `Tenant ${slug}` } },
    );
    return data.createTenant;
  }

  async createApiKey(tenantId: string, name = 'test key'): Promise<{ id: string; secret: string }> {
    const data = await this.ok<{ createApiKey: { apiKey: { id: string }; secret: string } }>(
      'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id } secret } }',
      { input: { tenantId, name } },
    );
    return { id: data.createApiKey.apiKey.id, secret: data.createApiKey.secret };
  }

  /** Issues an admin API token (as the bootstrap admin) and returns its secret. */
  async createAdminToken(role: 'PLATFORM_ADMIN' | 'TENANT_ADMIN' | 'TENANT_VIEWER', tenantId?: string): Promise<{ id: string; secret: string }> {
    const data = await this.ok<{ createAdminToken: { adminToken: { id: string }; secret: string } }>(
      'mutation($input: CreateAdminTokenInput!) { createAdminToken(input: $input) { adminToken { id } secret } }',
      { input: { name: `${role} token`, role, tenantId } },
    );
    return { id: data.createAdminToken.adminToken.id, secret: data.createAdminToken.secret };
  }

  /** Every event queued on `audit-export` under this harness's prefix, oldest first. */
  async auditEvents(): Promise<AuditEvent[]> {
    const queue = new Queue<AuditBatch>(this.names.auditQueue, { connection: this.redis, prefix: this.names.bullPrefix });
    try {
      const jobs = await queue.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized']);
      return jobs.flatMap((job) => job.data.events).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    } finally {
      await queue.close();
    }
  }

  /** The snapshot Redis holds for a tenant, verified with this harness's public key. */
  async snapshotInRedis(tenantId: string): Promise<{ jws: string; snapshot: TenantSnapshot }> {
    const jws = await this.redis.get(this.names.snapshotKey(tenantId));
    if (!jws) throw new Error(`no snapshot in redis for tenant ${tenantId}`);
    const snapshot = await verifySnapshot(jws, [await importVerificationKey(this.publicKeyPem)]);
    return { jws, snapshot };
  }

  async manifestVersion(tenantId: string): Promise<number> {
    return Number((await this.redis.hget(this.names.manifestKey, tenantId)) ?? 0);
  }

  /** A second connection subscribed to the snapshot channel, collecting parsed messages. */
  async subscribe(): Promise<{ messages: unknown[]; close(): void }> {
    const subscriber = new Redis(this.config.redisUrl);
    const messages: unknown[] = [];
    subscriber.on('message', (channel: string, raw: string) => {
      if (channel === this.names.snapshotChannel) messages.push(JSON.parse(raw));
    });
    await subscriber.subscribe(this.names.snapshotChannel);
    return { messages, close: () => subscriber.disconnect() };
  }

  async close(): Promise<void> {
    for (const app of this.apps) await app.close();
    this.apps.clear();
    await this.deleteRedisKeys();
    this.redis.disconnect();
    await this.prisma.$disconnect();
    await this.dropDatabase();
  }

  private async deleteRedisKeys(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.names.keyPrefix}*`, 'COUNT', 500);
      if (keys.length > 0) await this.redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
}
