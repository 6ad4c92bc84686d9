export * from './uuidv7.js';
export * from './audit-event.js';
export * from './audit-batcher.js';
