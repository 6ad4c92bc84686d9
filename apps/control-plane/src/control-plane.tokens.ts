/** Injection tokens for values that have no class of their own. */
export const CONTROL_PLANE_CONFIG = Symbol('ControlPlaneConfig');
export const LOGGER = Symbol('Logger');
export const SNAPSHOT_SIGNING_KEY = Symbol('SnapshotSigningKey');
export const PRISMA = Symbol('PrismaClient');
export const ADMIN_AUDIT_WRITER = Symbol('AdminAuditWriter');
/** BullMQ queue `audit-export` of the region, for dead letters. */
export const AUDIT_QUEUE = Symbol('AuditQueue');
/** SinkSecretStore: sealed tenant-sink credentials for the exporters. */
export const SINK_SECRET_STORE = Symbol('SinkSecretStore');
