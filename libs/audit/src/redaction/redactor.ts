import { createHmac } from 'node:crypto';
import { builtInDetectors, SENSITIVE_KEY, type SecretDetector } from './secret-detectors.js';

/** A tenant's own pattern, checked with `checkCustomPattern` when it was saved. */
export interface CustomRedactionPattern {
  name: string;
  pattern: string;
}

export interface RedactorOptions {
  customPatterns?: readonly CustomRedactionPattern[];
  /**
   * Replace secrets with a keyed hash (`[HMAC:<detector>:<hex>]`) instead of `[REDACTED:<detector>]`,
   * so an auditor can tell that two events carried the same value without seeing it. The key
   * must stay out of every event and snapshot.
   */
  hashKey?: Buffer | null;
}

export interface Redacted<T> {
  value: T;
  /** Values replaced; never what they were. */
  count: number;
}

interface Span {
  start: number;
  end: number;
  detector: string;
}

/**
 * Finds and replaces secrets in text and in JSON values (built-in detectors plus a tenant's
 * custom patterns). Built once per tenant snapshot; `redactText` and `redactJson` are pure and
 * return the input itself when nothing was found, so the common case allocates nothing.
 */
export class Redactor {
  private readonly detectors: readonly SecretDetector[];
  private readonly hashKey: Buffer | null;

  constructor(options: RedactorOptions = {}) {
    const custom = (options.customPatterns ?? []).map((p) => ({ name: `custom:${p.name}`, pattern: new RegExp(p.pattern, 'gu') }));
    this.detectors = [...builtInDetectors, ...custom];
    this.hashKey = options.hashKey ?? null;
  }

  redactText(text: string): Redacted<string> {
    const spans = this.findSpans(text);
    if (spans.length === 0) return { value: text, count: 0 };
    let out = '';
    let at = 0;
    for (const span of spans) {
      out += text.slice(at, span.start) + this.replacement(span.detector, text.slice(span.start, span.end));
      at = span.end;
    }
    return { value: out + text.slice(at), count: spans.length };
  }

  /**
   * The first `maxChars` of `text`, redacted as if the whole text had been scanned: the scan
   * reaches `lookaheadChars` past the cut, so a secret that begins before the cut and is at most
   * that long is found whole and replaced whole (never left half-visible by the cut). Scanning
   * stops there, so the cost is bounded however long `text` is. `isCut` says text was left out.
   */
  redactTextPrefix(text: string, maxChars: number, lookaheadChars: number): Redacted<string> & { isCut: boolean } {
    if (text.length <= maxChars) return { ...this.redactText(text), isCut: false };
    const spans = this.findSpans(text.slice(0, maxChars + lookaheadChars)).filter((span) => span.start < maxChars);
    let out = '';
    let at = 0;
    for (const span of spans) {
      out += text.slice(at, span.start) + this.replacement(span.detector, text.slice(span.start, span.end));
      at = span.end;
    }
    if (at < maxChars) out += text.slice(at, maxChars);
    return { value: out, count: spans.length, isCut: true };
  }

  /** Walks a JSON value: strings are scanned, values under sensitive keys replaced whole. */
  redactJson<T>(value: T): Redacted<T> {
    const counter = { count: 0 };
    const result = this.walk(value, counter) as T;
    return { value: result, count: counter.count };
  }

  private walk(value: unknown, counter: { count: number }): unknown {
    if (typeof value === 'string') {
      const r = this.redactText(value);
      counter.count += r.count;
      return r.value;
    }
    if (typeof value === 'number') {
      // A card number sent as a JSON number.
      if (Number.isInteger(value) && value >= 1e12) {
        const r = this.redactText(String(value));
        if (r.count > 0) {
          counter.count += r.count;
          return r.value;
        }
      }
      return value;
    }
    if (Array.isArray(value)) {
      let copy: unknown[] | null = null;
      value.forEach((item, i) => {
        const next = this.walk(item, counter);
        if (next !== item) (copy ??= [...value])[i] = next;
      });
      return copy ?? value;
    }
    if (value !== null && typeof value === 'object') {
      let copy: Record<string, unknown> | null = null;
      for (const [key, item] of Object.entries(value)) {
        let next: unknown;
        if (SENSITIVE_KEY.test(key) && item !== null && item !== '' && (typeof item === 'string' || typeof item === 'number')) {
          counter.count++;
          next = this.replacement('sensitive_field', String(item));
        } else next = this.walk(item, counter);
        if (next !== item) (copy ??= { ...(value as Record<string, unknown>) })[key] = next;
      }
      return copy ?? value;
    }
    return value;
  }

  private replacement(detector: string, secret: string): string {
    if (!this.hashKey) return `[REDACTED:${detector}]`;
    const mac = createHmac('sha256', this.hashKey).update(secret).digest('hex').slice(0, 32);
    return `[HMAC:${detector}:${mac}]`;
  }

  /** Matches of every detector, overlaps merged (the earliest, then longest, wins). */
  private findSpans(text: string): Span[] {
    const spans: Span[] = [];
    for (const detector of this.detectors) {
      detector.pattern.lastIndex = 0;
      for (let m = detector.pattern.exec(text); m !== null; m = detector.pattern.exec(text)) {
        if (m[0].length === 0) {
          detector.pattern.lastIndex++;
          continue;
        }
        if (detector.accept && !detector.accept(m[0])) continue;
        spans.push({ start: m.index, end: m.index + m[0].length, detector: detector.name });
      }
    }
    if (spans.length <= 1) return spans;
    spans.sort((a, b) => a.start - b.start || b.end - a.end);
    const merged: Span[] = [spans[0]!];
    for (const span of spans.slice(1)) {
      const last = merged.at(-1)!;
      if (span.start < last.end) last.end = Math.max(last.end, span.end);
      else merged.push(span);
    }
    return merged;
  }
}
