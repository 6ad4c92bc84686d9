export * from './uuidv7.js';
export * from './audit-event.js';
export * from './audit-batcher.js';
export * from './audit-export-backoff.js';
export * from './audit-queue-writer.js';
export * from './ecs-document.js';
export * from './audit-spool.js';
export * from './redaction/index.js';
