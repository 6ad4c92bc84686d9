/** Injection tokens for values that have no class of their own. */
export const CONTROL_PLANE_CONFIG = Symbol('ControlPlaneConfig');
export const LOGGER = Symbol('Logger');
export const SNAPSHOT_SIGNING_KEY = Symbol('SnapshotSigningKey');
export const PRISMA = Symbol('PrismaClient');
export const ADMIN_AUDIT_WRITER = Symbol('AdminAuditWriter');
/** AuditDeadLetterQueues: `audit-export` and the per-sink delivery queues of the region. */
export const AUDIT_DEAD_LETTER_QUEUES = Symbol('AuditDeadLetterQueues');
/** SinkSecretStore: sealed tenant-sink credentials for the exporters. */
export const SINK_SECRET_STORE = Symbol('SinkSecretStore');
