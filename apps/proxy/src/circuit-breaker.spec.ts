import { describe, expect, it } from 'vitest';
import { CircuitBreakers } from './circuit-breaker.js';

describe('circuit breaker', () => {
  it('opens after consecutive failures, lets one trial through after the open time, closes on success', () => {
    let now = 1_000;
    const breakers = new CircuitBreakers({ failureThreshold: 3, openMs: 500 }, () => now);
    for (let i = 0; i < 3; i++) {
      expect(breakers.admit('u')).toEqual({ isAllowed: true, isTrial: false });
      breakers.recordFailure('u');
    }
    expect(breakers.admit('u')).toEqual({ isAllowed: false, retryAfterMs: 500 });
    expect(breakers.admit('other')).toMatchObject({ isAllowed: true });
    now += 500;
    expect(breakers.admit('u')).toEqual({ isAllowed: true, isTrial: true });
    expect(breakers.admit('u')).toMatchObject({ isAllowed: false });
    breakers.recordSuccess('u');
    expect(breakers.admit('u')).toEqual({ isAllowed: true, isTrial: false });
  });

  it('reopens when the trial fails, and a success in between resets the count', () => {
    let now = 0;
    const breakers = new CircuitBreakers({ failureThreshold: 2, openMs: 100 }, () => now);
    breakers.recordFailure('u');
    breakers.recordSuccess('u');
    breakers.recordFailure('u');
    expect(breakers.isOpen('u')).toBe(false);
    breakers.recordFailure('u');
    now = 100;
    expect(breakers.admit('u')).toMatchObject({ isAllowed: true, isTrial: true });
    breakers.recordFailure('u');
    expect(breakers.admit('u')).toEqual({ isAllowed: false, retryAfterMs: 100 });
  });

  it('lets another trial through when one ends without a verdict', () => {
    let now = 0;
    const breakers = new CircuitBreakers({ failureThreshold: 1, openMs: 10 }, () => now);
    breakers.recordFailure('u');
    now = 10;
    expect(breakers.admit('u')).toMatchObject({ isTrial: true });
    breakers.releaseTrial('u');
    expect(breakers.admit('u')).toMatchObject({ isAllowed: true, isTrial: true });
    expect(breakers.isOpen('u')).toBe(true);
  });
});
