import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeDurably, type AuditEvent } from '@mcpg/audit';
import { SinkDeliveryError, type AuditSink } from './audit-sink.js';

export interface JsonlFileSinkOptions {
  path: string;
  /** Default `jsonl-file`. */
  name?: string;
}

/**
 * Appends each event as one JSON line, and fsyncs before reporting a batch delivered, so a
 * crash right after never loses a batch the queue considers done. The file is opened per batch,
 * which lets logrotate move it away between batches. Batches are written one at a time, so lines
 * of concurrent jobs never interleave.
 */
export class JsonlFileSink implements AuditSink {
  readonly name: string;
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly options: JsonlFileSinkOptions) {
    this.name = options.name ?? 'jsonl-file';
  }

  deliver(events: readonly AuditEvent[]): Promise<void> {
    const text = events.map((event) => JSON.stringify(event) + '\n').join('');
    const write = this.tail.then(() => this.append(text));
    this.tail = write.catch(() => {});
    return write;
  }

  private async append(text: string): Promise<void> {
    try {
      await mkdir(dirname(this.options.path), { recursive: true });
      await writeDurably(this.options.path, text, 'a', 0o640);
    } catch (err) {
      const cause = err instanceof Error ? err.message : String(err);
      throw new SinkDeliveryError(this.name, 'io', `cannot append to ${this.options.path}: ${cause}`);
    }
  }
}
