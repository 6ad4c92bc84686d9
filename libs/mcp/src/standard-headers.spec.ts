import { describe, expect, it } from 'vitest';
import type { JsonRpcMessage } from './json-rpc.js';
import { checkStandardHeaders, decodeMcpNameHeader } from './standard-headers.js';

const call = (name: string): JsonRpcMessage => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: {} } });
const read = (uri: string): JsonRpcMessage => ({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri } });

describe('Mcp-Method / Mcp-Name headers (SEP-2243)', () => {
  it('accepts absent headers and headers that agree with the body', () => {
    expect(checkStandardHeaders(undefined, undefined, [call('echo')], false)).toBeNull();
    expect(checkStandardHeaders('tools/call', 'echo', [call('echo')], false)).toBeNull();
    expect(checkStandardHeaders('resources/read', 'demo://a/1', [read('demo://a/1')], false)).toBeNull();
  });
  it('rejects a method or name that differs from the body', () => {
    expect(checkStandardHeaders('tools/list', undefined, [call('echo')], false)).toBe('method_header_mismatch');
    expect(checkStandardHeaders('tools/call', 'echo', [call('get-env')], false)).toBe('name_header_mismatch');
    expect(checkStandardHeaders(undefined, 'demo://a/1', [read('demo://a/2')], false)).toBe('name_header_mismatch');
  });
  it('rejects the headers on a batch', () => {
    expect(checkStandardHeaders('tools/call', undefined, [call('echo'), call('echo')], true)).toBe('headers_on_batch');
  });
  it('decodes base64-wrapped names and compares the decoded value', () => {
    const wrapped = `=?base64?${Buffer.from('tööl').toString('base64')}?=`;
    expect(decodeMcpNameHeader(wrapped)).toBe('tööl');
    expect(checkStandardHeaders('tools/call', wrapped, [call('tööl')], false)).toBeNull();
    expect(checkStandardHeaders('tools/call', wrapped, [call('tool')], false)).toBe('name_header_mismatch');
    expect(decodeMcpNameHeader('=?base64?!!!?=')).toBe('=?base64?!!!?=');
  });
});
