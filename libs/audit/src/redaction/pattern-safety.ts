/** Why a tenant's custom redaction pattern was refused. */
export type PatternProblem =
  | { code: 'invalid'; message: string }
  | { code: 'too_long'; message: string }
  | { code: 'catastrophic_backtracking'; message: string }
  | { code: 'matches_empty'; message: string };

export const MAX_CUSTOM_PATTERN_LENGTH = 512;

interface GroupFrame {
  /** The group (or a quantified item inside it) contains an unbounded quantifier. */
  hasUnbounded: boolean;
  hasAlternation: boolean;
  /** Index of the group's `(` in the pattern, for messages. */
  start: number;
}

/**
 * Checks a custom pattern before it is saved. Backtracking regex engines (V8's included) take
 * exponential time on patterns where an unbounded repetition contains another unbounded
 * repetition — `(a+)+`, `(\w*\s?)*` — or alternatives that can match the same text — `(a|ab)*`.
 * The check is structural and conservative: it refuses every unbounded quantifier applied to a
 * group that itself holds an unbounded quantifier or an alternation, and back-references (which
 * make matching NP-hard). Patterns must also compile (with the `u` flag) and must not match the
 * empty string (that would "redact" between every character).
 */
export function checkCustomPattern(pattern: string): PatternProblem | null {
  if (pattern.length > MAX_CUSTOM_PATTERN_LENGTH) {
    return { code: 'too_long', message: `pattern is longer than ${MAX_CUSTOM_PATTERN_LENGTH} characters` };
  }
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, 'u');
  } catch (err) {
    return { code: 'invalid', message: `not a valid regular expression: ${(err as Error).message}` };
  }
  const structural = findNestedRepetition(pattern);
  if (structural) return { code: 'catastrophic_backtracking', message: structural };
  if (regex.test('')) return { code: 'matches_empty', message: 'pattern matches the empty string' };
  return null;
}

function findNestedRepetition(p: string): string | null {
  const stack: GroupFrame[] = [{ hasUnbounded: false, hasAlternation: false, start: -1 }];
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const ch = p[i]!;
    if (ch === '\\') {
      const next = p[i + 1] ?? '';
      if (!inClass && (/[1-9]/.test(next) || (next === 'k' && p[i + 2] === '<'))) {
        return `back-reference at position ${i} can take exponential time`;
      }
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      continue;
    }
    if (ch === '(') {
      stack.push({ hasUnbounded: false, hasAlternation: false, start: i });
      continue;
    }
    if (ch === '|') {
      stack.at(-1)!.hasAlternation = true;
      continue;
    }
    if (ch === ')') {
      const group = stack.pop();
      if (!group || stack.length === 0) return null; // unbalanced: the RegExp constructor already refused it
      const quantifier = readQuantifier(p, i + 1);
      if (quantifier?.isUnbounded && (group.hasUnbounded || group.hasAlternation)) {
        const what = group.hasUnbounded ? 'a repeated group that itself contains a repetition' : 'a repeated group of alternatives';
        return `${what} (the group at position ${group.start}, repeated by "${quantifier.text}") can take exponential time; rewrite it without nesting`;
      }
      const parent = stack.at(-1)!;
      if (group.hasUnbounded || quantifier?.isUnbounded) parent.hasUnbounded = true;
      if (quantifier) i += quantifier.text.length;
      continue;
    }
    const quantifier = readQuantifier(p, i);
    if (quantifier) {
      if (quantifier.isUnbounded) stack.at(-1)!.hasUnbounded = true;
      i += quantifier.text.length - 1;
    }
  }
  return null;
}

/** The quantifier starting at `i` (`*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, with a lazy `?`), if any. */
function readQuantifier(p: string, i: number): { text: string; isUnbounded: boolean } | null {
  const ch = p[i];
  let text: string;
  let isUnbounded: boolean;
  if (ch === '*' || ch === '+') {
    text = ch;
    isUnbounded = true;
  } else if (ch === '?') {
    text = ch;
    isUnbounded = false;
  } else if (ch === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
    if (!m) return null;
    text = m[0];
    // {n,m} with a large m backtracks like an unbounded repetition.
    isUnbounded = m[2] !== undefined && (m[3] === '' || Number(m[3]) > 16);
  } else return null;
  if (p[i + text.length] === '?') text += '?';
  return { text, isUnbounded };
}
