import { describe, expect, it } from 'vitest';
import { serializeSseEvent, SseParser } from './sse-parser.js';

describe('SSE parser', () => {
  it('parses events with ids, names and multi-line data', () => {
    const p = new SseParser();
    expect(p.push('event: message\nid: 42\ndata: {"a":\ndata: 1}\n\n')).toEqual([{ event: 'message', id: '42', data: '{"a":\n1}' }]);
  });
  it('holds an event split across chunks, even mid-line and between CR and LF', () => {
    const p = new SseParser();
    expect(p.push('id: 1\r')).toEqual([]);
    expect(p.push('\ndata: hel')).toEqual([]);
    expect(p.push('lo\r\n')).toEqual([]);
    expect(p.push('\r\n')).toEqual([{ id: '1', data: 'hello' }]);
  });
  it('keeps comments and events without data (priming events) so they pass through', () => {
    const p = new SseParser();
    const events = p.push(': keep-alive\n\nid: abc\ndata:\n\n');
    expect(events).toEqual([{ comments: [' keep-alive'] }, { id: 'abc', data: '' }]);
    expect(events.map(serializeSseEvent).join('')).toBe(': keep-alive\n\nid: abc\ndata: \n\n');
  });
  it('round-trips through serialize', () => {
    const p = new SseParser();
    const original = { event: 'message', id: 'x-1', data: 'line1\nline2' };
    expect(p.push(serializeSseEvent(original))).toEqual([original]);
  });
});
