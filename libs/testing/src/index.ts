export * from './free-port.js';
export * from './everything-server.js';
export * from './upstream-tap.js';
export * from './hec-receiver.js';
export * from './database.js';
export * from './audit-event-fixture.js';
export * from './elastic-receiver.js';
export * from './redis-server.js';
