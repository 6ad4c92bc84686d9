import { describe, expect, it } from 'vitest';
import { compileGlob, compileGlobList, isValidToolGlob } from './glob.js';

describe('tool globs', () => {
  it('matches exact names only when there is no wildcard', () => {
    const m = compileGlobList(['echo']);
    expect(m('echo')).toBe(true);
    expect(m('echo2')).toBe(false);
    expect(m('Echo')).toBe(false);
  });
  it('treats * as any run of characters and ? as one character', () => {
    expect(compileGlob('get-*').test('get-sum')).toBe(true);
    expect(compileGlob('get-*').test('get-')).toBe(true);
    expect(compileGlob('get-*').test('xget-sum')).toBe(false);
    expect(compileGlob('get-su?').test('get-sum')).toBe(true);
    expect(compileGlob('get-su?').test('get-summ')).toBe(false);
  });
  it('escapes regex metacharacters so a dot is a dot', () => {
    expect(compileGlob('fs.read').test('fsXread')).toBe(false);
    expect(compileGlob('fs.read').test('fs.read')).toBe(true);
    expect(compileGlob('a+b').test('aab')).toBe(false);
  });
  it('denies everything for an empty list and allows everything for *', () => {
    expect(compileGlobList([])('echo')).toBe(false);
    expect(compileGlobList(['*'])('anything')).toBe(true);
  });
  it('rejects globs with characters tool names cannot contain', () => {
    expect(isValidToolGlob('echo')).toBe(true);
    expect(isValidToolGlob('get-*')).toBe(true);
    expect(isValidToolGlob('')).toBe(false);
    expect(isValidToolGlob('a b')).toBe(false);
    expect(isValidToolGlob('(evil)')).toBe(false);
  });
});
