import type { AuditQueueWriter } from '@mcpg/audit';
import type { PrismaClient } from '@mcpg/db';
import { busNames } from '@mcpg/bus';
import type { Logger } from '@mcpg/observability';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import type { Redis } from 'ioredis';
import type { CryptoKey } from 'jose';
import { AccessGuard } from './admin-auth/access.guard.js';
import { AdminAuthenticator } from './admin-auth/admin-authenticator.js';
import { createAdminContext } from './admin-auth/admin-context.js';
import { AdminTokenVerifier } from './admin-auth/admin-token.js';
import { AdminChangeRecorder } from './admin-changes/admin-change-recorder.js';
import { AdminSessionCredentials } from './admin-oidc/admin-session.js';
import { AdminSessionResolver } from './admin-oidc/admin-session.resolver.js';
import { AdminIdentityResolver, AdminTokenResolver } from './admin-tokens/admin-token.resolver.js';
import { AdminTokenService } from './admin-tokens/admin-token.service.js';
import { ApiKeyResolver } from './api-keys/api-key.resolver.js';
import { ApiKeyService } from './api-keys/api-key.service.js';
import type { ControlPlaneConfig } from './config.js';
import { ADMIN_AUDIT_WRITER, AUDIT_DEAD_LETTER_QUEUES, CONTROL_PLANE_CONFIG, LOGGER, PRISMA, SINK_SECRET_STORE, SNAPSHOT_SIGNING_KEY } from './control-plane.tokens.js';
import { AuditDeadLetterQueues } from './dead-letters/dead-letter-queues.js';
import { DeadLetterResolver } from './dead-letters/dead-letter.resolver.js';
import { DeadLetterService } from './dead-letters/dead-letter.service.js';
import { AdminErrorFilter } from './errors/admin-error.filter.js';
import { IdentityProviderResolver } from './identity-providers/identity-provider.resolver.js';
import { IdentityProviderService } from './identity-providers/identity-provider.service.js';
import { queryLimitsRule } from './query-limits/query-limits.js';
import { RedactionResolver } from './redaction/redaction.resolver.js';
import { RedactionService } from './redaction/redaction.service.js';
import { DenyRuleResolver } from './deny-rules/deny-rule.resolver.js';
import { DenyRuleService } from './deny-rules/deny-rule.service.js';
import { RegionBuses } from './regions/region-buses.js';
import { RegionResolver, TenantRegionsResolver } from './regions/region.resolver.js';
import { RegionService } from './regions/region.service.js';
import { RolloutService } from './regions/rollout.service.js';
import { VersionResolver } from './versions/version.resolver.js';
import { VersionService } from './versions/version.service.js';
import { ServerResolver } from './servers/server.resolver.js';
import { SinkSecretStore } from './sinks/sink-secret-store.js';
import { SinkResolver } from './sinks/sink.resolver.js';
import { SinkService } from './sinks/sink.service.js';
import { ServerService } from './servers/server.service.js';
import { SnapshotPublisherService } from './snapshots/snapshot-publisher.service.js';
import { SnapshotResolver } from './snapshots/snapshot.resolver.js';
import { SnapshotService } from './snapshots/snapshot.service.js';
import { TenantResolver } from './tenants/tenant.resolver.js';
import { TenantService } from './tenants/tenant.service.js';
import { ToolRuleResolver } from './tool-rules/tool-rule.resolver.js';
import { ToolRuleService } from './tool-rules/tool-rule.service.js';

/** Connections and keys made before Nest starts, so start-up fails fast and shutdown is explicit. */
export interface ControlPlaneResources {
  readonly config: ControlPlaneConfig;
  readonly logger: Logger;
  readonly prisma: PrismaClient;
  readonly redis: Redis;
  readonly signingKey: CryptoKey;
  /** Queue writer for `admin.change` events; owned (and closed) by the caller. */
  readonly auditWriter: AuditQueueWriter;
}

@Module({})
export class ControlPlaneModule {
  static forRoot(resources: ControlPlaneResources): DynamicModule {
    const { config } = resources;
    const authenticator = new AdminAuthenticator(resources.prisma, config.adminToken ? new AdminTokenVerifier(config.adminToken) : undefined, [
      new AdminSessionCredentials(resources.prisma),
    ]);
    return {
      module: ControlPlaneModule,
      imports: [
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          path: '/graphql',
          autoSchemaFile: true,
          sortSchema: true,
          graphiql: config.isPlaygroundEnabled,
          introspection: config.isPlaygroundEnabled,
          includeStacktraceInErrorResponses: false,
          validationRules: [queryLimitsRule(config.maxQueryDepth, config.maxQueryCost)],
          context: createAdminContext(authenticator),
          // AccessGuard must run for field resolvers too (nested objects are authorized one by one).
          fieldResolverEnhancers: ['guards', 'filters'],
        }),
      ],
      providers: [
        { provide: CONTROL_PLANE_CONFIG, useValue: config },
        { provide: LOGGER, useValue: resources.logger },
        { provide: PRISMA, useValue: resources.prisma },
        { provide: SNAPSHOT_SIGNING_KEY, useValue: resources.signingKey },
        { provide: ADMIN_AUDIT_WRITER, useValue: resources.auditWriter },
        {
          provide: RegionBuses,
          useValue: new RegionBuses(
            resources.redis,
            { name: config.defaultRegion, redisUrl: config.redisUrl, redisKeyPrefix: config.redisKeyPrefix },
            resources.logger,
          ),
        },
        { provide: APP_FILTER, useClass: AdminErrorFilter },
        { provide: APP_GUARD, useClass: AccessGuard },
        AdminChangeRecorder,
        AdminTokenService,
        AdminTokenResolver,
        AdminIdentityResolver,
        AdminSessionResolver,
        SnapshotPublisherService,
        SnapshotService,
        SnapshotResolver,
        TenantService,
        TenantResolver,
        ApiKeyService,
        ApiKeyResolver,
        ServerService,
        ServerResolver,
        ToolRuleService,
        ToolRuleResolver,
        VersionService,
        VersionResolver,
        RegionService,
        RolloutService,
        RegionResolver,
        TenantRegionsResolver,
        DenyRuleService,
        DenyRuleResolver,
        IdentityProviderService,
        IdentityProviderResolver,
        RedactionService,
        RedactionResolver,
        {
          provide: AUDIT_DEAD_LETTER_QUEUES,
          useFactory: () => new AuditDeadLetterQueues(resources.redis, busNames(config.redisKeyPrefix), resources.logger),
        },
        DeadLetterService,
        DeadLetterResolver,
        {
          provide: SINK_SECRET_STORE,
          inject: [SnapshotPublisherService, RegionBuses],
          useFactory: (snapshots: SnapshotPublisherService, buses: RegionBuses) => {
            const store = new SinkSecretStore(snapshots, buses, resources.prisma, resources.logger);
            void store.republishAll();
            return store;
          },
        },
        SinkService,
        SinkResolver,
      ],
    };
  }
}
