import type { TenantSnapshot } from './snapshot.js';
import { displayableCredential, type SnapshotUpstreamCredential } from './upstream-credential.js';

export type SnapshotSection = 'tenant' | 'servers' | 'apiKeys' | 'rules' | 'denyRules' | 'identityProviders' | 'limits';

/** One difference between two snapshots of a tenant, about one object. */
export interface SnapshotChange {
  readonly section: SnapshotSection;
  /** Id of the object (the tenant id for `tenant` and `limits`). */
  readonly id: string;
  readonly kind: 'added' | 'removed' | 'changed';
  /** Fields whose value differs (all fields for added/removed objects). */
  readonly fields: readonly string[];
  /** The object before / after, without key hashes or sealed credentials (a diff is for people to read). */
  readonly before: Readonly<Record<string, unknown>> | null;
  readonly after: Readonly<Record<string, unknown>> | null;
}

type Row = Readonly<Record<string, unknown>> & { readonly id: string };

/**
 * Key hashes and sealed secrets (`…Sealed`, at any depth) are left out; a changed secret still
 * shows as a changed field, by name only.
 */
const withoutSealed = (value: unknown): unknown =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).filter(([key]) => !key.endsWith('Sealed')).map(([key, inner]) => [key, withoutSealed(inner)]))
    : value;

const displayed = (row: Row): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(row)
      .filter(([key]) => key !== 'hash' && !key.endsWith('Sealed'))
      .map(([key, value]) => (key === 'credential' && value ? [key, displayableCredential(value as SnapshotUpstreamCredential)] : [key, withoutSealed(value)])),
  );

function diffRows(section: SnapshotSection, from: readonly Row[], to: readonly Row[]): SnapshotChange[] {
  const before = new Map(from.map((row) => [row.id, row]));
  const after = new Map(to.map((row) => [row.id, row]));
  const changes: SnapshotChange[] = [];
  for (const id of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const a = before.get(id);
    const b = after.get(id);
    if (a && b) {
      const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((f) => JSON.stringify(a[f]) !== JSON.stringify(b[f])).sort();
      if (fields.length > 0) changes.push({ section, id, kind: 'changed', fields, before: displayed(a), after: displayed(b) });
    } else if (b) {
      changes.push({ section, id, kind: 'added', fields: Object.keys(displayed(b)).sort(), before: null, after: displayed(b) });
    } else if (a) {
      changes.push({ section, id, kind: 'removed', fields: Object.keys(displayed(a)).sort(), before: displayed(a), after: null });
    }
  }
  return changes;
}

/**
 * What changed in a tenant's policy from one snapshot to another: servers, keys, rules, deny
 * rules, identity providers and limits compared object by object (by id). Version numbers and creation times are not changes.
 */
export function diffSnapshots(from: TenantSnapshot, to: TenantSnapshot): SnapshotChange[] {
  const tenant = (s: TenantSnapshot): Row => ({ id: s.tenantId, slug: s.tenantSlug });
  const limits = (s: TenantSnapshot): Row => ({ id: s.tenantId, ...s.limits });
  return [
    ...diffRows('tenant', [tenant(from)], [tenant(to)]),
    ...diffRows('servers', from.servers, to.servers),
    ...diffRows('apiKeys', from.apiKeys, to.apiKeys),
    ...diffRows('rules', from.rules, to.rules),
    ...diffRows('denyRules', from.denyRules, to.denyRules),
    ...diffRows('identityProviders', from.identityProviders, to.identityProviders),
    ...diffRows('limits', [limits(from)], [limits(to)]),
  ];
}

/** One line per change, e.g. `~ rules 3f… toolGlobs: ["echo"] → ["echo","get-*"]`. */
export function describeSnapshotChanges(changes: readonly SnapshotChange[]): string {
  return changes
    .map((c) => {
      if (c.kind === 'added') return `+ ${c.section} ${c.id} ${JSON.stringify(c.after)}`;
      if (c.kind === 'removed') return `- ${c.section} ${c.id} ${JSON.stringify(c.before)}`;
      const parts = c.fields.map((f) => `${f}: ${JSON.stringify(c.before?.[f] ?? null)} → ${JSON.stringify(c.after?.[f] ?? null)}`);
      return `~ ${c.section} ${c.id} ${parts.join('; ')}`;
    })
    .join('\n');
}
