import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent } from '@mcpg/audit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEventFixture } from '@mcpg/testing';
import { SinkDeliveryError } from './audit-sink.js';
import { JsonlFileSink } from './jsonl-file-sink.js';

const auditEvent = () => auditEventFixture();

describe('JsonlFileSink', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcpg-jsonl-sink-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('appends one line per event across batches, creating missing directories', async () => {
    const path = join(dir, 'a', 'b', 'audit.jsonl');
    const sink = new JsonlFileSink({ path });
    const first = [auditEvent(), auditEvent()];
    const second = [auditEvent()];
    await sink.deliver(first);
    await sink.deliver(second);
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => JSON.parse(line) as AuditEvent)).toEqual([...first, ...second]);
  });

  it('keeps each batch contiguous when batches are delivered concurrently', async () => {
    const path = join(dir, 'concurrent.jsonl');
    const sink = new JsonlFileSink({ path });
    const batches = Array.from({ length: 20 }, () => Array.from({ length: 50 }, auditEvent));
    await Promise.all(batches.map((batch) => sink.deliver(batch)));
    const ids = (await readFile(path, 'utf8')).trimEnd().split('\n').map((line) => (JSON.parse(line) as AuditEvent).id);
    expect(ids).toEqual(batches.flat().map((event) => event.id));
  });

  it('fails with an io error when the file cannot be written, and writes later batches once it can', async () => {
    const blocker = join(dir, 'blocker');
    await writeFile(blocker, 'a file where the sink needs a directory');
    const path = join(blocker, 'audit.jsonl');
    const sink = new JsonlFileSink({ path });
    const lost = auditEvent();
    const err = await sink.deliver([lost]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SinkDeliveryError);
    expect(err).toMatchObject({ sink: 'jsonl-file', code: 'io' });

    await rm(blocker);
    const later = auditEvent();
    await sink.deliver([later]);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(later);
  });
});
