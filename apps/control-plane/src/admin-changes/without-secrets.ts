/** Field names whose values are secrets or secret-derived, wherever they appear in a changed object. */
const SECRET_FIELDS = new Set(['hash', 'secret', 'jws', 'password', 'token', 'clientSecret']);

/**
 * A copy of `value` fit for an audit event or a GraphQL answer: secret fields dropped, the
 * password of any URL (a region's `redis://:pw@host`) replaced by `***`, dates as ISO strings.
 */
export function withoutSecrets(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return maskUrlPassword(value);
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !SECRET_FIELDS.has(key))
        .map(([key, inner]) => [key, withoutSecrets(inner)]),
    );
  }
  return value;
}

export function maskUrlPassword(value: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(value)) return value;
  const url = URL.parse(value);
  if (!url?.password) return value;
  url.password = '***';
  return url.toString();
}
