import type { AuditedToolResult } from './audit-event.js';
import type { Redacted, Redactor } from './redaction/redactor.js';

/**
 * How far past a cut the redactor still scans, so a secret that begins before the cut is found
 * whole (PEM private keys, the longest built-in secrets, are a few KiB).
 */
export const RESULT_REDACTION_LOOKAHEAD_CHARS = 16 * 1024;

const encoder = new TextEncoder();

/**
 * A `tools/call` result (MCP `CallToolResult`) as it may enter a `tool.result` event: text items
 * and `structuredContent` go through the tenant's audit redactor — the same one as the arguments
 * — BEFORE anything is cut, and the whole excerpt stays within `maxBytes` UTF-8 bytes (text of the
 * text items, then the JSON of `structuredContent` if it fits whole). Non-text items are kept as
 * their type only. Returns null when `result` is not an object.
 *
 * Bounded work whatever the result's size: a text item is scanned only up to the remaining byte
 * budget plus a lookahead, items after the budget is spent are not looked at, and a
 * `structuredContent` larger than what is left of the budget is left out unscanned.
 */
export function toolResultExcerpt(result: unknown, redactor: Redactor, maxBytes: number): Redacted<AuditedToolResult> | null {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return null;
  const { content, structuredContent, isError } = result as { content?: unknown; structuredContent?: unknown; isError?: unknown };
  const excerpt: AuditedToolResult = { isError: isError === true, content: [], truncated: false };
  let count = 0;
  let budget = maxBytes;

  for (const item of Array.isArray(content) ? content : []) {
    if (budget <= 0) {
      excerpt.truncated = true;
      break;
    }
    const type = typeof (item as { type?: unknown } | null)?.type === 'string' ? (item as { type: string }).type : 'unknown';
    const text = (item as { text?: unknown }).text;
    if (type !== 'text' || typeof text !== 'string') {
      excerpt.content.push({ type });
      continue;
    }
    // Chars never outnumber UTF-8 bytes, so `budget` chars hold at least the `budget` bytes kept.
    const redacted = redactor.redactTextPrefix(text, budget, RESULT_REDACTION_LOOKAHEAD_CHARS);
    count += redacted.count;
    const kept = cutToBytes(redacted.value, budget);
    if (redacted.isCut || kept.text.length < redacted.value.length) excerpt.truncated = true;
    if (kept.text === '' && text !== '') break;
    excerpt.content.push({ type, text: kept.text });
    budget -= kept.bytes;
  }

  if (structuredContent !== undefined) {
    // One that cannot fit is left out unscanned, so a huge one costs no more than the budget.
    const fitted = budget > 0 && !jsonLongerThan(structuredContent, budget) ? redactor.redactJson(structuredContent) : null;
    const json = fitted ? JSON.stringify(fitted.value) : undefined;
    if (fitted && json !== undefined && Buffer.byteLength(json) <= budget) {
      excerpt.structuredContent = fitted.value;
      count += fitted.count;
    } else excerpt.truncated = true;
  }
  return { value: excerpt, count };
}

/** The longest prefix of `text` whose UTF-8 encoding fits in `maxBytes`, never splitting a character. */
function cutToBytes(text: string, maxBytes: number): { text: string; bytes: number } {
  // Fast path: even at 3 bytes per UTF-16 unit (the most any unit takes) it fits.
  if (text.length * 3 <= maxBytes) return { text, bytes: Buffer.byteLength(text) };
  const { read, written } = encoder.encodeInto(text, new Uint8Array(maxBytes));
  return { text: read === text.length ? text : text.slice(0, read), bytes: written };
}

/**
 * Whether `value`'s JSON is longer than `limit` characters, stopping as soon as it is (the
 * count is approximate — strings without escapes — which is all a bound needs).
 */
function jsonLongerThan(value: unknown, limit: number): boolean {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const next = stack.pop();
    if (typeof next === 'string') size += next.length + 2;
    else if (Array.isArray(next)) {
      size += 1 + Math.max(1, next.length);
      for (const item of next) stack.push(item);
    } else if (next !== null && typeof next === 'object') {
      const entries = Object.entries(next);
      size += 1 + Math.max(1, entries.length);
      for (const [key, item] of entries) {
        size += key.length + 3;
        stack.push(item);
      }
    } else size += String(next).length;
    if (size > limit) return true;
  }
  return false;
}
