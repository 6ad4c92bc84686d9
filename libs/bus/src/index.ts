export * from './bus-names.js';
export * from './snapshot-message.js';
export * from './snapshot-publisher.js';
export * from './snapshot-subscriber.js';
export * from './proxy-heartbeat.js';
