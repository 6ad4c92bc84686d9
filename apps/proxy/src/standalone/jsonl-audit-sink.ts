import { createWriteStream, type WriteStream } from 'node:fs';
import type { AuditEvent } from '@mcpg/audit';
import type { AuditSink } from '../snapshot-source.js';

/** Standalone audit: one JSON event per line to stdout and/or an append-only file. */
export class JsonlAuditSink implements AuditSink {
  private readonly file: WriteStream | null;

  constructor(
    private readonly stdout: NodeJS.WritableStream | null,
    filePath: string | undefined,
  ) {
    this.file = filePath ? createWriteStream(filePath, { flags: 'a', mode: 0o600 }) : null;
  }

  write(event: AuditEvent): void {
    const line = JSON.stringify(event) + '\n';
    this.stdout?.write(line);
    this.file?.write(line);
  }

  /** Resolves once every line written so far is in the file (writes complete in order). */
  drain(): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    return new Promise((resolve) => file.write('', () => resolve()));
  }

  async close(): Promise<void> {
    const file = this.file;
    if (file) await new Promise<void>((resolve) => file.end(() => resolve()));
  }
}
