export * from './luhn.js';
export * from './secret-detectors.js';
export * from './pattern-safety.js';
export * from './redactor.js';
