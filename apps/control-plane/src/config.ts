import { parseSinkSecretKey } from '@mcpg/audit';
import { parseSecretsKeyRing, type SecretsKeyRing } from '@mcpg/policy';
import { z } from 'zod';
import { oidcRoleMapSchema, type OidcRoleMap } from './admin-oidc/oidc-role-map.js';

const booleanFlag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((value) => ['1', 'true', 'yes', 'on'].includes(value));

const envSchema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').default('redis://127.0.0.1:6379'),
  MCPG_REDIS_KEY_PREFIX: z.string().default(''),
  MCPG_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  MCPG_SNAPSHOT_SIGNING_KEY: z.string().includes('-----BEGIN PRIVATE KEY-----', { message: 'must be a PKCS#8 PEM private key' }),
  MCPG_SNAPSHOT_KEY_ID: z.string().min(1).optional(),
  MCPG_REGION: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be 1-63 of a-z, 0-9, "-"').default('local'),
  MCPG_AUDIT_FLUSH_MS: z.coerce.number().int().positive().default(1000),
  MCPG_GRAPHQL_MAX_DEPTH: z.coerce.number().int().positive().default(8),
  MCPG_GRAPHQL_MAX_COST: z.coerce.number().int().positive().default(20_000),
  MCPG_ADMIN_MAX_BODY_BYTES: z.coerce.number().int().positive().default(256 * 1024),
  MCPG_ADMIN_OIDC_ISSUER: z.url().optional(),
  MCPG_ADMIN_OIDC_CLIENT_ID: z.string().min(1).optional(),
  MCPG_ADMIN_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  MCPG_ADMIN_OIDC_REDIRECT_URI: z.url().optional(),
  MCPG_ADMIN_OIDC_SCOPES: z.string().default('openid profile email groups'),
  MCPG_ADMIN_OIDC_GROUPS_CLAIM: z.string().min(1).default('groups'),
  MCPG_ADMIN_OIDC_ROLE_MAP: z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
        return z.NEVER;
      }
    })
    .pipe(oidcRoleMapSchema)
    .optional(),
  MCPG_ADMIN_OIDC_ALLOW_HTTP: booleanFlag.optional(),
  MCPG_ADMIN_SESSION_TTL_SECONDS: z.coerce.number().int().positive().default(8 * 3600),
  CONTROL_PLANE_HOST: z.string().min(1).default('127.0.0.1'),
  CONTROL_PLANE_PORT: z.coerce.number().int().min(0).max(65_535).default(4000),
  MCPG_GRAPHQL_PLAYGROUND: booleanFlag.optional(),
  MCPG_ALLOW_LOOPBACK_IDP_URLS: booleanFlag.default(false),
  MCPG_ALLOW_STDIO_UPSTREAMS: booleanFlag.default(false),
  MCPG_UPSTREAM_CREDENTIALS_KEY: z
    .string()
    .refine((value) => {
      try {
        parseSecretsKeyRing(value);
        return true;
      } catch {
        return false;
      }
    }, 'must be one or more comma-separated keys, each 32 bytes as base64 or hex, none twice')
    .optional(),
  NODE_ENV: z.string().optional(),
  MCPG_SINK_SECRET_KEY: z.string().optional(),
});

/** Admin login through the organisation's OIDC provider (`MCPG_ADMIN_OIDC_*`). */
export interface AdminOidcConfig {
  readonly issuer: string;
  readonly clientId: string;
  /** Never logged. */
  readonly clientSecret: string | undefined;
  /** This control plane's `/auth/oidc/callback`, as registered at the IdP. */
  readonly redirectUri: string;
  readonly scopes: string;
  readonly groupsClaim: string;
  readonly roleMap: OidcRoleMap;
  /** Plain-http issuer allowed (tests, local development only). */
  readonly isHttpAllowed: boolean;
  readonly sessionTtlSeconds: number;
}

export interface ControlPlaneConfig {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly redisKeyPrefix: string;
  /** Bootstrap admin bearer token (platform admin); undefined disables it. Never logged. */
  readonly adminToken: string | undefined;
  /** Region name of the default Redis (`redisUrl`), where tenants placed in no region are published. */
  readonly defaultRegion: string;
  /** Longest an `admin.change` audit event waits before its batch is queued. */
  readonly auditFlushMs: number;
  /** PKCS#8 PEM of the Ed25519 key that signs snapshots. Never logged. */
  readonly snapshotSigningKeyPem: string;
  readonly snapshotKeyId: string | undefined;
  readonly host: string;
  /** 0 picks a free port; `startControlPlane` reports the one it got. */
  readonly port: number;
  /** Deepest field nesting an operation may have. */
  readonly maxQueryDepth: number;
  /** Highest cost (fields, list fan-out multiplied) an operation may have; see query-limits.ts. */
  readonly maxQueryCost: number;
  /** Largest GraphQL request body; larger ones get HTTP 413 before parsing. */
  readonly maxBodyBytes: number;
  /** Undefined when OIDC admin login is not configured. */
  readonly oidc?: AdminOidcConfig | undefined;
  /** Serves GraphiQL on GET /graphql and allows introspection. */
  readonly isPlaygroundEnabled: boolean;
  /**
   * Lets identity providers use http:// URLs on loopback addresses (JWKS, introspection, metadata),
   * for IdP sidecars and tests. Off: https only, so a tenant admin cannot aim the proxies or the
   * control plane at their own loopback services.
   */
  readonly allowLoopbackIdpUrls?: boolean;
  /** AES-256-GCM key sealing tenant-sink credentials (also given to exporters); null: no tenant sinks. Never logged. */
  readonly sinkSecretKey: Buffer | null;
  /** Whether admins may add stdio upstreams (commands proxies spawn): trusted deployments only. */
  readonly allowStdioUpstreams: boolean;
  /**
   * `MCPG_UPSTREAM_CREDENTIALS_KEY`: seals upstream credentials at rest and in snapshots (proxies of every
   * region hold the same key to open them). Absent: upstream credentials cannot be set. Never logged.
   */
  readonly upstreamCredentialsKey?: SecretsKeyRing | null;
}

export class ControlPlaneConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid control-plane configuration:\n  ${problems.join('\n  ')}`);
  }
}

/** Reads the control plane's settings from the environment; throws listing every bad variable. */
export function loadControlPlaneConfig(env: NodeJS.ProcessEnv = process.env): ControlPlaneConfig {
  // Empty strings count as unset, so `FOO= node main.js` falls back to the default.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    // Messages name the variable but never echo its value: several of them are secrets.
    throw new ControlPlaneConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join('.');
        return `${name}: ${name in present ? issue.message : 'is required'}`;
      }),
    );
  }
  const e = parsed.data;
  const oidc = oidcConfig(e);
  return {
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.MCPG_REDIS_KEY_PREFIX,
    adminToken: e.MCPG_ADMIN_TOKEN,
    defaultRegion: e.MCPG_REGION,
    auditFlushMs: e.MCPG_AUDIT_FLUSH_MS,
    // Env files often carry PEMs with literal "\n" sequences.
    snapshotSigningKeyPem: e.MCPG_SNAPSHOT_SIGNING_KEY.replace(/\\n/g, '\n'),
    snapshotKeyId: e.MCPG_SNAPSHOT_KEY_ID,
    host: e.CONTROL_PLANE_HOST,
    port: e.CONTROL_PLANE_PORT,
    maxQueryDepth: e.MCPG_GRAPHQL_MAX_DEPTH,
    maxQueryCost: e.MCPG_GRAPHQL_MAX_COST,
    maxBodyBytes: e.MCPG_ADMIN_MAX_BODY_BYTES,
    isPlaygroundEnabled: e.MCPG_GRAPHQL_PLAYGROUND ?? e.NODE_ENV !== 'production',
    allowLoopbackIdpUrls: e.MCPG_ALLOW_LOOPBACK_IDP_URLS,
    sinkSecretKey: sinkSecretKeyOf(e.MCPG_SINK_SECRET_KEY),
    allowStdioUpstreams: e.MCPG_ALLOW_STDIO_UPSTREAMS,
    upstreamCredentialsKey: e.MCPG_UPSTREAM_CREDENTIALS_KEY ? parseSecretsKeyRing(e.MCPG_UPSTREAM_CREDENTIALS_KEY) : null,
    oidc,
  };
}

/** OIDC login is on when the issuer is set; then client id, redirect URI and role map are required. */
function oidcConfig(e: z.infer<typeof envSchema>): AdminOidcConfig | undefined {
  if (!e.MCPG_ADMIN_OIDC_ISSUER) return undefined;
  const missing = (['MCPG_ADMIN_OIDC_CLIENT_ID', 'MCPG_ADMIN_OIDC_REDIRECT_URI', 'MCPG_ADMIN_OIDC_ROLE_MAP'] as const).filter((name) => e[name] === undefined);
  if (missing.length > 0) throw new ControlPlaneConfigError(missing.map((name) => `${name}: is required when MCPG_ADMIN_OIDC_ISSUER is set`));
  return {
    issuer: e.MCPG_ADMIN_OIDC_ISSUER,
    clientId: e.MCPG_ADMIN_OIDC_CLIENT_ID!,
    clientSecret: e.MCPG_ADMIN_OIDC_CLIENT_SECRET,
    redirectUri: e.MCPG_ADMIN_OIDC_REDIRECT_URI!,
    scopes: e.MCPG_ADMIN_OIDC_SCOPES,
    groupsClaim: e.MCPG_ADMIN_OIDC_GROUPS_CLAIM,
    roleMap: e.MCPG_ADMIN_OIDC_ROLE_MAP!,
    isHttpAllowed: e.MCPG_ADMIN_OIDC_ALLOW_HTTP ?? false,
    sessionTtlSeconds: e.MCPG_ADMIN_SESSION_TTL_SECONDS,
  };
}

function sinkSecretKeyOf(value: string | undefined): Buffer | null {
  if (value === undefined) return null;
  try {
    return parseSinkSecretKey(value);
  } catch (err) {
    throw new ControlPlaneConfigError([(err as Error).message]);
  }
}
