import { SnapshotPublisher, busNames } from '@mcpg/bus';
import type { PrismaClient } from '@mcpg/db';
import type { Logger } from '@mcpg/observability';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CryptoKey } from 'jose';
import { createAdminContext } from './admin-auth/admin-context.js';
import { AdminTokenVerifier } from './admin-auth/admin-token.js';
import { ApiKeyResolver } from './api-keys/api-key.resolver.js';
import { ApiKeyService } from './api-keys/api-key.service.js';
import type { ControlPlaneConfig } from './config.js';
import { AUDIT_QUEUE, CONTROL_PLANE_CONFIG, LOGGER, PRISMA, SINK_SECRET_STORE, SNAPSHOT_SIGNING_KEY } from './control-plane.tokens.js';
import { DeadLetterResolver } from './dead-letters/dead-letter.resolver.js';
import { DeadLetterService } from './dead-letters/dead-letter.service.js';
import { AdminErrorFilter } from './errors/admin-error.filter.js';
import { RedactionResolver } from './redaction/redaction.resolver.js';
import { RedactionService } from './redaction/redaction.service.js';
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
}

@Module({})
export class ControlPlaneModule {
  static forRoot(resources: ControlPlaneResources): DynamicModule {
    const { config } = resources;
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
          context: createAdminContext(new AdminTokenVerifier(config.adminToken)),
        }),
      ],
      providers: [
        { provide: CONTROL_PLANE_CONFIG, useValue: config },
        { provide: LOGGER, useValue: resources.logger },
        { provide: PRISMA, useValue: resources.prisma },
        { provide: SNAPSHOT_SIGNING_KEY, useValue: resources.signingKey },
        { provide: SnapshotPublisher, useValue: new SnapshotPublisher(resources.redis, busNames(config.redisKeyPrefix)) },
        { provide: APP_FILTER, useClass: AdminErrorFilter },
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
        RedactionService,
        RedactionResolver,
        {
          provide: AUDIT_QUEUE,
          useFactory: () => {
            const names = busNames(config.redisKeyPrefix);
            const queue = new Queue(names.auditQueue, { connection: resources.redis, prefix: names.bullPrefix });
            queue.on('error', (err) => resources.logger.warn('audit queue connection error', { err }));
            return queue;
          },
        },
        DeadLetterService,
        DeadLetterResolver,
        {
          provide: SINK_SECRET_STORE,
          useFactory: () => new SinkSecretStore(resources.redis, busNames(config.redisKeyPrefix), resources.prisma, resources.logger),
        },
        SinkService,
        SinkResolver,
      ],
    };
  }
}
