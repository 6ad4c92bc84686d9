export * from './api-key-format.js';
export * from './principal.js';
export * from './authenticate-api-key.js';
