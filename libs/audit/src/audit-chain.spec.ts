import { auditEventFixture } from '@mcpg/testing';
import { describe, expect, it } from 'vitest';
import { AuditHashChain, CHAIN_GENESIS_HASH, verifyAuditChain } from './audit-chain.js';
import type { AuditEvent } from './audit-event.js';

function chainOf(count: number, proxyId = 'proxy-a'): AuditEvent[] {
  const chain = new AuditHashChain();
  return Array.from({ length: count }, (_, i) => chain.link(auditEventFixture({ proxyId, rpcId: i })));
}

describe('audit hash chain', () => {
  it('links each event to the one before, starting from the genesis hash', () => {
    const [a, b] = chainOf(2);
    expect(a).toMatchObject({ seq: 1, prevHash: CHAIN_GENESIS_HASH });
    expect(b!.seq).toBe(2);
    expect(b!.prevHash).toMatch(/^[0-9a-f]{64}$/);
    expect(b!.prevHash).not.toBe(CHAIN_GENESIS_HASH);
  });

  it('verifies intact chains of several proxies in any order, after a JSON round trip, with duplicates counted once', () => {
    const events = [...chainOf(5, 'proxy-a'), ...chainOf(3, 'proxy-b')];
    const shuffled = [...events].reverse().map((e) => JSON.parse(JSON.stringify(e)) as AuditEvent);
    const report = verifyAuditChain([...shuffled, events[2]!]);
    expect(report).toMatchObject({ isIntact: true, events: 8, duplicates: 1, problems: [] });
    expect(report.proxies).toEqual({ 'proxy-a': { chains: 1, events: 5, lastSeq: 5 }, 'proxy-b': { chains: 1, events: 3, lastSeq: 3 } });
  });

  it('accepts a restarted proxy as a second chain', () => {
    const report = verifyAuditChain([...chainOf(3), ...chainOf(2)]);
    expect(report.isIntact).toBe(true);
    expect(report.proxies['proxy-a']).toMatchObject({ chains: 2, events: 5 });
  });

  it('detects a removed event as a gap', () => {
    const events = chainOf(6);
    const report = verifyAuditChain(events.filter((e) => e.seq !== 3 && e.seq !== 4));
    expect(report.isIntact).toBe(false);
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'gap', seq: 3, message: expect.stringContaining('seq 3–4 missing') })]);
  });

  it('detects an edited event, even one that keeps its id', () => {
    const events = chainOf(4);
    events[1] = { ...events[1]!, decision: 'deny' };
    const report = verifyAuditChain(events);
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'edited', seq: 2, eventId: events[1]!.id })]);
  });

  it('detects two different events under one id, a missing start, and unchained events', () => {
    const events = chainOf(3);
    const report = verifyAuditChain([...events.slice(1), { ...events[1]!, tool: 'other' }, auditEventFixture()]);
    expect(report.problems.map((p) => p.kind).sort()).toEqual(['conflicting_duplicate', 'missing_start', 'unchained']);
    expect(verifyAuditChain(events.slice(1), { allowPartialStart: true }).isIntact).toBe(true);
  });
});
