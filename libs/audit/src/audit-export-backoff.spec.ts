import { describe, expect, it } from 'vitest';
import { auditExportBackoffDelayMs } from './audit-export-backoff.js';

const backoff = { baseDelayMs: 1000, maxDelayMs: 60_000 };

describe('auditExportBackoffDelayMs', () => {
  it('doubles the delay with each retry, jittered within the upper half', () => {
    expect(auditExportBackoffDelayMs(1, backoff, () => 0)).toBe(500);
    expect(auditExportBackoffDelayMs(1, backoff, () => 1)).toBe(1000);
    expect(auditExportBackoffDelayMs(3, backoff, () => 0)).toBe(2000);
    expect(auditExportBackoffDelayMs(3, backoff, () => 1)).toBe(4000);
  });

  it('never waits longer than the cap', () => {
    expect(auditExportBackoffDelayMs(30, backoff, () => 1)).toBe(60_000);
    expect(auditExportBackoffDelayMs(30, backoff, () => 0)).toBe(30_000);
  });

  it('spreads retries of exporters that failed together', () => {
    const delays = new Set(Array.from({ length: 20 }, () => auditExportBackoffDelayMs(4, backoff)));
    expect(delays.size).toBeGreaterThan(1);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(4000);
  });
});
