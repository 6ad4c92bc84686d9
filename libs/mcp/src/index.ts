export * from './json-rpc.js';
export * from './sse-parser.js';
export * from './list-filter.js';
