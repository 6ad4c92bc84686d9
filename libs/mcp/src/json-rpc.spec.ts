import { describe, expect, it } from 'vitest';
import { isNotification, isRequest, isResponse, parseJsonRpcBody } from './json-rpc.js';

describe('JSON-RPC body parsing', () => {
  it('answers invalid JSON with a -32700 parse error and a null id', () => {
    const r = parseJsonRpcBody('{"jsonrpc":"2.0",');
    expect(r).toEqual({ ok: false, reason: 'parse_error', error: { jsonrpc: '2.0', id: null, error: { code: -32700, message: expect.stringContaining('Parse error') } } });
  });
  it('accepts requests with string or numeric ids, notifications and responses', () => {
    const r = parseJsonRpcBody(
      JSON.stringify([
        { jsonrpc: '2.0', id: 'a', method: 'tools/list' },
        { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'echo' } },
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        { jsonrpc: '2.0', id: 3, result: {} },
      ]),
    );
    if (!r.ok) throw new Error('expected ok');
    expect(r.isBatch).toBe(true);
    expect(r.messages.map((m) => [isRequest(m), isNotification(m), isResponse(m)])).toEqual([
      [true, false, false],
      [true, false, false],
      [false, true, false],
      [false, false, true],
    ]);
  });
  it('rejects structurally invalid messages with -32600 and keeps the id when there is one', () => {
    const cases: unknown[] = [
      { id: 1, method: 'x' },
      { jsonrpc: '2.0', id: 1, method: '' },
      { jsonrpc: '2.0', id: { a: 1 }, method: 'x' },
      { jsonrpc: '2.0', id: 1, method: 'x', params: 'str' },
      { jsonrpc: '2.0', id: 1, result: {}, error: { code: 1, message: 'x' } },
      42,
    ];
    for (const c of cases) {
      const r = parseJsonRpcBody(JSON.stringify(c));
      expect(r.ok, JSON.stringify(c)).toBe(false);
      if (!r.ok) expect(r.error.error?.code).toBe(-32600);
    }
    const r = parseJsonRpcBody(JSON.stringify({ jsonrpc: '1.0', id: 5, method: 'x' }));
    expect(!r.ok && r.error.id).toBe(5);
  });
  it('rejects empty and oversized batches', () => {
    expect(parseJsonRpcBody('[]').ok).toBe(false);
    const many = Array.from({ length: 3 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'ping' }));
    expect(parseJsonRpcBody(JSON.stringify(many), { maxBatchLength: 2 }).ok).toBe(false);
  });
});
