export * from './glob.js';
export * from './snapshot.js';
export * from './compile-snapshot.js';
export * from './compiled-policy.js';
export * from './snapshot-signature.js';
export * from './snapshot-diff.js';
export * from './secret-box.js';
export * from './upstream-credential.js';
