import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { auditedToolResultSchema } from './audit-event.js';
import { Redactor } from './redaction/redactor.js';
import { RESULT_REDACTION_LOOKAHEAD_CHARS, toolResultExcerpt } from './tool-result-excerpt.js';

const GITHUB_TOKEN = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a';
const AWS_KEY = 'AKIAIOSFODNN7EXAMPLE';
const PRIVATE_KEY = `-----BEGIN RSA PRIVATE KEY-----\n${'MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n'.repeat(40)}-----END RSA PRIVATE KEY-----`;

describe('toolResultExcerpt', () => {
  const redactor = new Redactor({ customPatterns: [{ name: 'employee_id', pattern: 'EMP-\\d{6}' }] });

  it('redacts text items and structuredContent with the given redactor, counts replacements, and keeps isError', () => {
    const result = {
      content: [
        { type: 'text', text: `deployed with ${GITHUB_TOKEN} by EMP-123456` },
        { type: 'image', data: 'iVBORw0KGgo=', mimeType: 'image/png' },
      ],
      structuredContent: { owner: 'EMP-654321', nested: { password: 'hunter2', note: 'fine' } },
      isError: true,
    };
    const excerpt = toolResultExcerpt(result, redactor, 8192)!;
    expect(excerpt.value).toEqual({
      isError: true,
      content: [{ type: 'text', text: 'deployed with [REDACTED:github_token] by [REDACTED:custom:employee_id]' }, { type: 'image' }],
      structuredContent: { owner: '[REDACTED:custom:employee_id]', nested: { password: '[REDACTED:sensitive_field]', note: 'fine' } },
      truncated: false,
    });
    expect(excerpt.count).toBe(4);
    expect(auditedToolResultSchema.parse(excerpt.value)).toEqual(excerpt.value);
    expect(JSON.stringify(excerpt)).not.toContain('iVBORw0KGgo');
  });

  it('uses keyed hashing when the redactor has a key, so equal secrets correlate', () => {
    const hashing = new Redactor({ hashKey: randomBytes(32) });
    const a = toolResultExcerpt({ content: [{ type: 'text', text: GITHUB_TOKEN }] }, hashing, 1024)!;
    const b = toolResultExcerpt({ content: [{ type: 'text', text: `again ${GITHUB_TOKEN}` }] }, hashing, 1024)!;
    const hash = a.value.content[0]!.text!;
    expect(hash).toMatch(/^\[HMAC:github_token:[0-9a-f]{32}\]$/);
    expect(b.value.content[0]!.text).toBe(`again ${hash}`);
  });

  it('cuts text to the byte cap after redaction, never leaving part of a secret that crosses the cut', () => {
    // The AWS key starts 10 bytes before the cap: without the lookahead its first 10 characters would remain.
    const text = `${'a'.repeat(89)} ${AWS_KEY} ${'b'.repeat(500)}`;
    const excerpt = toolResultExcerpt({ content: [{ type: 'text', text }] }, redactor, 100)!;
    expect(excerpt.value.truncated).toBe(true);
    expect(excerpt.count).toBe(1);
    const kept = excerpt.value.content[0]!.text!;
    expect(Buffer.byteLength(kept)).toBeLessThanOrEqual(100);
    expect(kept).toBe(`${'a'.repeat(89)} [REDACTED:`);
    expect(kept).not.toContain('AKIA');
  });

  it('finds a multi-KiB private key that begins just before the cut', () => {
    const text = `key: ${PRIVATE_KEY} and more`;
    expect(PRIVATE_KEY.length).toBeGreaterThan(2000);
    expect(PRIVATE_KEY.length).toBeLessThan(RESULT_REDACTION_LOOKAHEAD_CHARS);
    const whole = toolResultExcerpt({ content: [{ type: 'text', text }] }, redactor, 4096)!;
    expect(whole.value).toEqual({ isError: false, content: [{ type: 'text', text: 'key: [REDACTED:private_key] and more' }], truncated: false });
    // Cut inside the key: the key is still replaced whole, and nothing after it is kept.
    const excerpt = toolResultExcerpt({ content: [{ type: 'text', text }] }, redactor, 256)!;
    expect(excerpt.value.content[0]!.text).toBe('key: [REDACTED:private_key]');
    expect(excerpt.value.truncated).toBe(true);
    const cut = toolResultExcerpt({ content: [{ type: 'text', text }] }, redactor, 20)!;
    expect(cut.value.content[0]!.text).toBe('key: [REDACTED:priva');
    expect(JSON.stringify(cut)).not.toContain('MIIB');
  });

  it('counts the cap in UTF-8 bytes, never splitting a character, and spends it across items in order', () => {
    const excerpt = toolResultExcerpt(
      { content: [{ type: 'text', text: 'héllo wörld' }, { type: 'text', text: '€€€€€€' }, { type: 'text', text: '€ never reached' }] },
      redactor,
      20,
    )!;
    // 'héllo wörld' is 13 bytes; 7 left hold two 3-byte euro signs; the last byte holds no character.
    expect(excerpt.value.content).toEqual([{ type: 'text', text: 'héllo wörld' }, { type: 'text', text: '€€' }]);
    expect(excerpt.value.truncated).toBe(true);
  });

  it('leaves out a structuredContent that does not fit whole, and flags it', () => {
    const big = { rows: Array.from({ length: 100 }, (_, i) => ({ i, token: GITHUB_TOKEN })) };
    const excerpt = toolResultExcerpt({ content: [{ type: 'text', text: 'summary' }], structuredContent: big }, redactor, 200)!;
    expect(excerpt.value).toEqual({ isError: false, content: [{ type: 'text', text: 'summary' }], truncated: true });
    expect(excerpt.count).toBe(0);
  });

  it('keeps a result that exactly fits, and returns null for something that is not a result object', () => {
    const excerpt = toolResultExcerpt({ content: [{ type: 'text', text: 'x'.repeat(10) }], structuredContent: { a: 1 } }, redactor, 17)!;
    expect(excerpt.value).toEqual({ isError: false, content: [{ type: 'text', text: 'x'.repeat(10) }], structuredContent: { a: 1 }, truncated: false });
    expect(toolResultExcerpt('text', redactor, 100)).toBeNull();
    expect(toolResultExcerpt(null, redactor, 100)).toBeNull();
    expect(toolResultExcerpt({ content: 'not an array' }, redactor, 100)!.value).toEqual({ isError: false, content: [], truncated: false });
  });

  it('does bounded work on a huge result: only the budget and the lookahead are scanned', () => {
    const huge = `${'z'.repeat(10 * 1024 * 1024)}${GITHUB_TOKEN}`;
    const excerpt = toolResultExcerpt({ content: [{ type: 'text', text: huge }, ...Array.from({ length: 100_000 }, () => ({ type: 'text', text: huge }))] }, redactor, 64)!;
    expect(excerpt.value.content).toEqual([{ type: 'text', text: 'z'.repeat(64) }]);
    expect(excerpt.value.truncated).toBe(true);
  });
});

describe('Redactor.redactTextPrefix', () => {
  const redactor = new Redactor();

  it('returns the whole text redacted when it is short enough', () => {
    expect(redactor.redactTextPrefix(`a ${AWS_KEY}`, 100, 10)).toEqual({ value: 'a [REDACTED:aws_access_key_id]', count: 1, isCut: false });
  });

  it('replaces a secret crossing the cut whole and drops what follows', () => {
    expect(redactor.redactTextPrefix(`ab ${AWS_KEY} tail ${GITHUB_TOKEN}`, 5, 100)).toEqual({ value: 'ab [REDACTED:aws_access_key_id]', count: 1, isCut: true });
    expect(redactor.redactTextPrefix(`abcdef ${AWS_KEY}`, 4, 100)).toEqual({ value: 'abcd', count: 0, isCut: true });
  });
});
