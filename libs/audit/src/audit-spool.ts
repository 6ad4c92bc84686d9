import { closeSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { readFile, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { auditBatchSchema, type AuditBatch } from './audit-event.js';
import { writeDurably } from './durable-write.js';

export interface AuditSpoolOptions {
  /** The spool file; its directory is created. One JSON batch per line. */
  path: string;
  /** Bound on the file; a batch that would grow it past this is refused (counted by the caller). */
  maxBytes: number;
}

/**
 * The proxy's local buffer for audit batches while Redis is unreachable (DESIGN.md §7, §10): an
 * append-only file of one `AuditBatch` per line, fsynced per batch so a proxy crash during an
 * outage loses nothing already spooled. Bounded: `append` refuses a batch that would not fit, and
 * the caller counts the refusal; nothing is dropped silently here.
 *
 * `replay` hands batches on oldest first and removes each only after it was handed on, so a
 * proxy that dies mid-replay replays the rest (and possibly one batch again — the queue's job id
 * makes that a no-op). All file operations run one at a time.
 */
export class AuditSpool {
  private sizeBytes: number;
  /** Appends accepted for writing but not yet written: a backlog too, for ordering. */
  private pendingAppends = 0;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: AuditSpoolOptions) {
    mkdirSync(dirname(options.path), { recursive: true });
    this.sizeBytes = repairTail(options.path);
  }

  /** Bytes spooled and not yet replayed. */
  get size(): number {
    return this.sizeBytes;
  }

  /** True while anything is spooled or being spooled: later batches must queue up behind it. */
  get hasBacklog(): boolean {
    return this.sizeBytes > 0 || this.pendingAppends > 0;
  }

  /** Appends a batch; resolves false (nothing written) when the spool has no room for it. */
  append(batch: AuditBatch): Promise<boolean> {
    const line = JSON.stringify(batch) + '\n';
    const bytes = Buffer.byteLength(line);
    this.pendingAppends++;
    return this.serialized(async () => {
      try {
        if (this.sizeBytes + bytes > this.options.maxBytes) return false;
        await writeDurably(this.options.path, line, 'a', 0o600);
        this.sizeBytes += bytes;
        return true;
      } finally {
        this.pendingAppends--;
      }
    });
  }

  /**
   * Hands spooled batches to `deliver` in order, stopping at the first that fails (it stays
   * first). Resolves with the number handed on. Lines that are not a valid batch (a torn write
   * from a crash) are skipped and reported through `onCorrupt`.
   */
  replay(deliver: (batch: AuditBatch) => Promise<void>, onCorrupt?: (line: string) => void): Promise<number> {
    return this.serialized(async () => {
      const text = await readFile(this.options.path, 'utf8').catch(() => '');
      const lines = text.split('\n').slice(0, -1);
      let done = 0;
      let delivered = 0;
      try {
        for (const line of lines) {
          const batch = parseBatch(line);
          if (batch) {
            await deliver(batch);
            delivered++;
          } else onCorrupt?.(line);
          done++;
        }
      } finally {
        if (done > 0) await this.dropFirstLines(lines, done);
      }
      return delivered;
    });
  }

  /** Waits for file operations in progress. */
  async settle(): Promise<void> {
    await this.tail.catch(() => {});
  }

  private async dropFirstLines(lines: string[], count: number): Promise<void> {
    const rest = lines.slice(count).map((line) => line + '\n').join('');
    const tmp = `${this.options.path}.tmp`;
    await writeDurably(tmp, rest, 'w', 0o600);
    await rename(tmp, this.options.path);
    this.sizeBytes = (await stat(this.options.path)).size;
  }

  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task, task);
    this.tail = run.catch(() => {});
    return run;
  }
}

function parseBatch(line: string): AuditBatch | null {
  try {
    const parsed = auditBatchSchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Size of an existing spool, after ending a torn last line (a crash mid-append) with a newline so
 * the next append starts a line of its own; the torn line is then skipped on replay.
 */
function repairTail(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch {
    return 0;
  }
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return 0;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    if (last[0] === 0x0a) return size;
    writeSync(fd, '\n', size);
    return size + 1;
  } finally {
    closeSync(fd);
  }
}
