/** Reads a scope claim that is a space-separated string (RFC 8693 §4.2, OAuth) or an array (`scp`, `roles`). */
export function scopesOf(claims: Readonly<Record<string, unknown>>, claimName: string): string[] {
  const value = claimName.split('.').reduce<unknown>(
    (at, part) => (at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[part] : undefined),
    claims,
  );
  if (typeof value === 'string') return value.split(' ').filter((s) => s.length > 0);
  if (Array.isArray(value)) return value.filter((s): s is string => typeof s === 'string' && s.length > 0);
  return [];
}

/** The subject claim as a non-empty string, or null. */
export function subjectOf(claims: Readonly<Record<string, unknown>>, claimName: string): string | null {
  const value = claims[claimName];
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number') return String(value);
  return null;
}
