import { describe, expect, it } from 'vitest';
import { AdminTokenVerifier } from './admin-token.js';

describe('AdminTokenVerifier', () => {
  const verifier = new AdminTokenVerifier('correct-horse-battery-staple');

  it('accepts the configured token as a bearer credential, whatever the scheme case', () => {
    expect(verifier.isAuthorized('Bearer correct-horse-battery-staple')).toBe(true);
    expect(verifier.isAuthorized('bearer correct-horse-battery-staple')).toBe(true);
  });

  it('rejects a missing header, another scheme, a wrong, shorter or longer token', () => {
    expect(verifier.isAuthorized(undefined)).toBe(false);
    expect(verifier.isAuthorized('')).toBe(false);
    expect(verifier.isAuthorized('Basic correct-horse-battery-staple')).toBe(false);
    expect(verifier.isAuthorized('correct-horse-battery-staple')).toBe(false);
    expect(verifier.isAuthorized('Bearer correct-horse-battery-stapl')).toBe(false);
    expect(verifier.isAuthorized('Bearer correct-horse-battery-staple!')).toBe(false);
    expect(verifier.isAuthorized('Bearer ')).toBe(false);
    expect(verifier.isAuthorized('Bearer correct-horse-battery-staple extra')).toBe(false);
  });
});
