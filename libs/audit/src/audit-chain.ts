import { createHash } from 'node:crypto';
import type { AuditEvent } from './audit-event.js';

/** `prevHash` of the first event of a chain. */
export const CHAIN_GENESIS_HASH = '0'.repeat(64);

/**
 * SHA-256 hex of an event in canonical form (object keys sorted at every depth), so the hash
 * survives any JSON round trip that keeps values: exporter, JSON Lines, a SIEM's re-serialisation.
 */
export function auditEventHash(event: AuditEvent): string {
  return createHash('sha256').update(canonicalJson(event)).digest('hex');
}

/** Quoted keys, memoised: events repeat the same few dozen keys (bounded for argument keys). */
const quotedKeys = new Map<string, string>();

function quoteKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < 4096) quotedKeys.set(key, quoted);
  }
  return quoted;
}

function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return 'null';
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonicalJson(value[i]);
    return out + ']';
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let isFirst = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    out += (isFirst ? '' : ',') + quoteKey(key) + ':' + canonicalJson(item);
    isFirst = false;
  }
  return out + '}';
}

/**
 * One proxy's tamper-evident chain (DESIGN.md §7): each event carries its position (`seq`) and
 * the hash of the event before it (`prevHash`), so removing, inserting or editing an event breaks
 * the chain where it happened. A proxy process starts a new chain at seq 1.
 */
export class AuditHashChain {
  private seq = 0;
  private prevHash = CHAIN_GENESIS_HASH;

  /** Stamps `event` (mutated and returned) as the next link. */
  link(event: AuditEvent): AuditEvent {
    event.seq = ++this.seq;
    event.prevHash = this.prevHash;
    this.prevHash = auditEventHash(event);
    return event;
  }
}

export type ChainProblemKind = 'gap' | 'edited' | 'conflicting_duplicate' | 'unchained' | 'missing_start';
// The last events of a chain can be cut off without a trace inside the export itself; compare
// `lastSeq` with the proxy's `mcpg_proxy_audit_events_total` or a later export to notice that.

export interface ChainProblem {
  kind: ChainProblemKind;
  proxyId: string;
  /** The `seq` where the problem shows (for a gap: the first missing one). */
  seq: number | null;
  eventId: string | null;
  message: string;
}

export interface ChainReport {
  isIntact: boolean;
  events: number;
  /** Identical copies of an event (at-least-once delivery), counted once. */
  duplicates: number;
  /** Per proxy: chains found (a restarted proxy starts a new one) and their events. */
  proxies: Record<string, { chains: number; events: number; lastSeq: number }>;
  problems: ChainProblem[];
}

/**
 * Checks the chains in a set of events, in any order (sinks deliver batches concurrently and at
 * least once; identical copies count once). Per proxy, each event must carry the hash of the one
 * at the seq before it. A chain starts at seq 1 (a proxy start) or, with `allowPartialStart` (an
 * export that begins mid-stream), at the lowest seq present.
 */
export function verifyAuditChain(events: Iterable<AuditEvent>, options: { allowPartialStart?: boolean } = {}): ChainReport {
  const report: ChainReport = { isIntact: true, events: 0, duplicates: 0, proxies: {}, problems: [] };
  const problem = (p: ChainProblem) => {
    report.isIntact = false;
    report.problems.push(p);
  };
  const byProxy = new Map<string, Map<string, AuditEvent>>();
  for (const event of events) {
    if (event.seq === undefined || event.prevHash === undefined) {
      problem({ kind: 'unchained', proxyId: event.proxyId, seq: null, eventId: event.id, message: 'event carries no seq/prevHash' });
      continue;
    }
    let seen = byProxy.get(event.proxyId);
    if (!seen) byProxy.set(event.proxyId, (seen = new Map()));
    const previous = seen.get(event.id);
    if (previous) {
      if (auditEventHash(previous) === auditEventHash(event)) report.duplicates++;
      else problem({ kind: 'conflicting_duplicate', proxyId: event.proxyId, seq: event.seq, eventId: event.id, message: 'two different events share this id' });
      continue;
    }
    seen.set(event.id, event);
    report.events++;
  }

  for (const [proxyId, seen] of byProxy) {
    // Linked by hash, not by seq alone: a restarted proxy starts a second chain at seq 1.
    const ordered = [...seen.values()].sort((a, b) => a.seq! - b.seq!);
    const byHash = new Map(ordered.map((e) => [auditEventHash(e), e]));
    const hasSuccessor = new Set<AuditEvent>();
    for (const event of ordered) {
      const before = byHash.get(event.prevHash!);
      if (before && before.seq === event.seq! - 1) hasSuccessor.add(before);
    }
    const lowestSeq = ordered[0]!.seq!;
    let chains = 0;
    for (const event of ordered) {
      if (event.prevHash === CHAIN_GENESIS_HASH) {
        chains++;
        if (event.seq !== 1) problem({ kind: 'edited', proxyId, seq: event.seq!, eventId: event.id, message: `seq ${event.seq} claims to start a chain` });
        continue;
      }
      const before = byHash.get(event.prevHash!);
      if (before && before.seq === event.seq! - 1) continue;
      // The link is broken: the event before was changed, or is missing.
      const changed = ordered.find((e) => e.seq === event.seq! - 1 && !hasSuccessor.has(e));
      if (changed) {
        problem({ kind: 'edited', proxyId, seq: changed.seq!, eventId: changed.id, message: `event at seq ${changed.seq} does not hash to the prevHash of seq ${event.seq}: it was changed` });
        hasSuccessor.add(changed);
      } else if (event.seq === lowestSeq) {
        chains++;
        if (!options.allowPartialStart) {
          problem({ kind: 'missing_start', proxyId, seq: event.seq!, eventId: event.id, message: `chain starts at seq ${event.seq}, not 1: earlier events are missing` });
        }
      } else {
        const below = ordered.filter((e) => e.seq! < event.seq!).at(-1)?.seq ?? 0;
        problem({ kind: 'gap', proxyId, seq: below + 1, eventId: event.id, message: `seq ${below + 1}–${event.seq! - 1} missing before ${event.id}` });
      }
    }
    report.proxies[proxyId] = { chains, events: seen.size, lastSeq: ordered.at(-1)!.seq! };
  }
  return report;
}
