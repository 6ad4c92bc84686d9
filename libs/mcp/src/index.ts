export * from './json-rpc.js';
export * from './sse-parser.js';
export * from './list-filter.js';
export * from './json-depth.js';
export * from './standard-headers.js';
