/**
 * Tool-name globs: `*` matches any run of characters (including none), `?` exactly one.
 * Everything else is literal. Globs are compiled once per snapshot, never per request.
 */
export function compileGlob(glob: string): RegExp {
  let source = '^';
  for (const ch of glob) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(source + '$', 's');
}

export type GlobMatcher = (name: string) => boolean;

/** One matcher for a list of globs; exact names skip the regex entirely. */
export function compileGlobList(globs: readonly string[]): GlobMatcher {
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  for (const glob of globs) {
    if (glob === '*') return () => true;
    if (/[*?]/.test(glob)) patterns.push(compileGlob(glob));
    else exact.add(glob);
  }
  if (patterns.length === 0) return (name) => exact.has(name);
  return (name) => exact.has(name) || patterns.some((p) => p.test(name));
}

const GLOB_PATTERN = /^[A-Za-z0-9_\-.:/*?]{1,200}$/;

/** Globs are checked when saved so a typo fails loudly instead of silently allowing nothing. */
export function isValidToolGlob(glob: string): boolean {
  return GLOB_PATTERN.test(glob);
}

const URI_GLOB_PATTERN = /^[\x21-\x7e]{1,500}$/;

/** Resource URI globs: printable ASCII without spaces (URIs carry `{}`, `%`, `=`, `&`, `#`, …). */
export function isValidResourceGlob(glob: string): boolean {
  return URI_GLOB_PATTERN.test(glob);
}
