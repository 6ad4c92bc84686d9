import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditEventFixture } from '@mcpg/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditBatch } from './audit-event.js';
import { AuditSpool } from './audit-spool.js';

const batch = (n: number): AuditBatch => ({ events: Array.from({ length: n }, (_, i) => auditEventFixture({ rpcId: i })) });

describe('AuditSpool', () => {
  let dir: string;
  let file = 0;
  const path = () => join(dir, `nested-${++file}`, 'spool.jsonl');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcpg-spool-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('replays batches in the order they were spooled and empties the file', async () => {
    const spool = new AuditSpool({ path: path(), maxBytes: 1_000_000 });
    const batches = [batch(2), batch(1), batch(3)];
    for (const b of batches) expect(await spool.append(b)).toBe(true);
    expect(spool.hasBacklog).toBe(true);
    const replayed: AuditBatch[] = [];
    expect(await spool.replay(async (b) => void replayed.push(b))).toBe(3);
    expect(replayed).toEqual(batches);
    expect(spool.size).toBe(0);
  });

  it('stops at the first batch that cannot be handed on and keeps it and the rest for the next replay', async () => {
    const p = path();
    const spool = new AuditSpool({ path: p, maxBytes: 1_000_000 });
    const batches = [batch(1), batch(1), batch(1)];
    for (const b of batches) await spool.append(b);
    const replayed: AuditBatch[] = [];
    await expect(
      spool.replay(async (b) => {
        if (replayed.length === 1) throw new Error('redis down');
        replayed.push(b);
      }),
    ).rejects.toThrow('redis down');
    expect(replayed).toEqual([batches[0]]);
    // A restarted proxy finds the rest on disk.
    const reopened = new AuditSpool({ path: p, maxBytes: 1_000_000 });
    const rest: AuditBatch[] = [];
    await reopened.replay(async (b) => void rest.push(b));
    expect(rest).toEqual(batches.slice(1));
  });

  it('refuses a batch that would grow the file past its bound, and accepts again once replayed', async () => {
    const one = batch(1);
    const lineBytes = Buffer.byteLength(JSON.stringify(one) + '\n');
    const spool = new AuditSpool({ path: path(), maxBytes: lineBytes * 2 + 10 });
    expect(await spool.append(one)).toBe(true);
    expect(await spool.append(batch(1))).toBe(true);
    expect(await spool.append(batch(1))).toBe(false);
    expect(spool.size).toBe(lineBytes * 2);
    await spool.replay(async () => {});
    expect(await spool.append(batch(1))).toBe(true);
  });

  it('skips a torn last line left by a crash and keeps later batches intact', async () => {
    const p = path();
    const first = new AuditSpool({ path: p, maxBytes: 1_000_000 });
    const kept = batch(1);
    await first.append(kept);
    await appendFile(p, '{"events":[{"id":"torn');
    const spool = new AuditSpool({ path: p, maxBytes: 1_000_000 });
    const later = batch(2);
    await spool.append(later);
    expect((await readFile(p, 'utf8')).split('\n')).toHaveLength(4);
    const replayed: AuditBatch[] = [];
    const corrupt: string[] = [];
    expect(await spool.replay(async (b) => void replayed.push(b), (line) => corrupt.push(line))).toBe(2);
    expect(replayed).toEqual([kept, later]);
    expect(corrupt).toEqual(['{"events":[{"id":"torn']);
  });
});
