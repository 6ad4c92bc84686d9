import { describe, expect, it } from 'vitest';
import { filterToolsListResult } from './list-filter.js';

describe('tools/list filtering', () => {
  it('keeps only the tools the predicate allows and leaves other result fields alone', () => {
    const response = { jsonrpc: '2.0' as const, id: 1, result: { tools: [{ name: 'echo' }, { name: 'get-env' }], nextCursor: 'c' } };
    expect(filterToolsListResult(response, (n) => n === 'echo')).toEqual({ jsonrpc: '2.0', id: 1, result: { tools: [{ name: 'echo' }], nextCursor: 'c' } });
  });
  it('drops entries without a string name', () => {
    const response = { jsonrpc: '2.0' as const, id: 1, result: { tools: [{ name: 'echo' }, { title: 'x' }] } };
    expect(filterToolsListResult(response, () => true).result).toEqual({ tools: [{ name: 'echo' }] });
  });
  it('returns error responses unchanged', () => {
    const response = { jsonrpc: '2.0' as const, id: 1, error: { code: 1, message: 'x' } };
    expect(filterToolsListResult(response, () => false)).toBe(response);
  });
});
