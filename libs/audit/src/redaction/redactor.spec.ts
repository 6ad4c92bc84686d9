import { describe, expect, it } from 'vitest';
import { isPaymentCardNumber, passesLuhn } from './luhn.js';
import { checkCustomPattern } from './pattern-safety.js';
import { Redactor } from './redactor.js';

// Sample secrets in the providers' formats (not real credentials).
const SECRETS: Record<string, string> = {
  aws_access_key_id: 'AKIAIOSFODNN7EXAMPLE',
  gcp_api_key: 'AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe',
  github_token: 'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
  gitlab_token: 'glpat-xT2kR9vLq3ZpW8nYc4Hb',
  slack_token: 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ',
  private_key: '-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----',
  bearer_token: 'Bearer 0123456789abcdefABCDEF.xyz',
  credit_card: '4111 1111 1111 1111',
};

describe('Redactor', () => {
  const redactor = new Redactor();

  it.each(Object.entries(SECRETS))('finds a %s inside free text', (detector, secret) => {
    const { value, count } = redactor.redactText(`before ${secret} after`);
    expect(value).toBe(`before [REDACTED:${detector}] after`);
    expect(count).toBe(1);
  });

  it('leaves ordinary text, timestamps and numbers that fail the card checks alone', () => {
    for (const text of ['hello world', 'at 1732700000000 ms', '4111 1111 1111 1112', 'order 1234567890123', 'Bearer short']) {
      expect(redactor.redactText(text)).toEqual({ value: text, count: 0 });
    }
    expect(passesLuhn('79927398713')).toBe(true);
    expect(isPaymentCardNumber('5555-5555-5555-4444')).toBe(true);
    expect(isPaymentCardNumber('1732700000000')).toBe(false);
  });

  it('redacts structured JSON: strings at any depth, sensitive keys whole, card numbers sent as numbers, and counts each', () => {
    const args = {
      query: `deploy with ${SECRETS.github_token}`,
      nested: { list: ['fine', `key=${SECRETS.aws_access_key_id}`], password: 'hunter2', card: 4111111111111111 },
      count: 3,
    };
    const { value, count } = redactor.redactJson(args);
    expect(value).toEqual({
      query: 'deploy with [REDACTED:github_token]',
      nested: { list: ['fine', 'key=[REDACTED:aws_access_key_id]'], password: '[REDACTED:sensitive_field]', card: '[REDACTED:credit_card]' },
      count: 3,
    });
    expect(count).toBe(4);
    expect(args.nested.password).toBe('hunter2');
  });

  it('returns the very same object when there is nothing to redact', () => {
    const clean = { a: ['b', { c: 1 }] };
    expect(redactor.redactJson(clean).value).toBe(clean);
  });

  it('applies custom patterns of the tenant', () => {
    const custom = new Redactor({ customPatterns: [{ name: 'employee_id', pattern: 'EMP-\\d{6}' }] });
    expect(custom.redactText('ticket for EMP-123456').value).toBe('ticket for [REDACTED:custom:employee_id]');
  });

  it('replaces secrets with a keyed hash that correlates equal values and depends on the key', () => {
    const a = new Redactor({ hashKey: Buffer.from('tenant-a-key-0123456789abcdef0123') });
    const b = new Redactor({ hashKey: Buffer.from('tenant-b-key-0123456789abcdef0123') });
    const first = a.redactText(SECRETS.github_token!).value;
    expect(first).toMatch(/^\[HMAC:github_token:[0-9a-f]{32}\]$/);
    expect(a.redactText(`again ${SECRETS.github_token}`).value).toBe(`again ${first}`);
    expect(b.redactText(SECRETS.github_token!).value).not.toBe(first);
    expect(first).not.toContain(SECRETS.github_token);
  });
});

describe('checkCustomPattern', () => {
  it('accepts linear patterns', () => {
    for (const p of ['EMP-\\d{6}', 'acct_[a-z0-9]+', '(?:foo|bar)-\\d+', '[A-Z]{2}\\d{2}(?: ?\\d{4}){4}', 'x(ab)+y']) expect(checkCustomPattern(p)).toBeNull();
  });

  it.each([
    ['(a+)+$', 'a repeated group that itself contains a repetition'],
    ['(\\w+\\s?)*!', 'a repeated group that itself contains a repetition'],
    ['^(a|ab)*c', 'a repeated group of alternatives'],
    ['((x*)y)+', 'a repeated group that itself contains a repetition'],
    ['(.{1,100})+z', 'a repeated group that itself contains a repetition'],
    ['(a)\\1+', 'back-reference'],
  ])('rejects %s for catastrophic backtracking with a clear message', (pattern, message) => {
    const problem = checkCustomPattern(pattern);
    expect(problem?.code).toBe('catastrophic_backtracking');
    expect(problem?.message).toContain(message);
  });

  it('rejects invalid, empty-matching and overlong patterns', () => {
    expect(checkCustomPattern('(unclosed')?.code).toBe('invalid');
    expect(checkCustomPattern('a*')?.code).toBe('matches_empty');
    expect(checkCustomPattern('a'.repeat(600))?.code).toBe('too_long');
  });
});
