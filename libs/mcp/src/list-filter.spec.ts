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

describe('resource and prompt list filtering', () => {
  it('filters resources by uri, templates by uriTemplate and prompts by name', async () => {
    const { filterListResult } = await import('./list-filter.js');
    const allow = (k: string) => k.startsWith('demo://ok') || k === 'simple-prompt';
    const r = { jsonrpc: '2.0' as const, id: 1, result: { resources: [{ uri: 'demo://ok/1' }, { uri: 'demo://no/1' }] } };
    expect(filterListResult(r, 'resources/list', allow).result).toEqual({ resources: [{ uri: 'demo://ok/1' }] });
    const t = { jsonrpc: '2.0' as const, id: 1, result: { resourceTemplates: [{ uriTemplate: 'demo://ok/{i}' }, { uriTemplate: 'demo://no/{i}' }] } };
    expect(filterListResult(t, 'resources/templates/list', allow).result).toEqual({ resourceTemplates: [{ uriTemplate: 'demo://ok/{i}' }] });
    const p = { jsonrpc: '2.0' as const, id: 1, result: { prompts: [{ name: 'simple-prompt' }, { name: 'args-prompt' }] } };
    expect(filterListResult(p, 'prompts/list', allow).result).toEqual({ prompts: [{ name: 'simple-prompt' }] });
  });
});
