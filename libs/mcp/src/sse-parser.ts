/** One Server-Sent Event as parsed (WHATWG HTML §9.2). Fields absent on the wire stay undefined. */
export interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
  /** Comment lines (": …"), kept so keep-alives pass through unchanged. */
  comments?: string[];
}

/**
 * Incremental SSE parser: feed it chunks as they arrive, get back complete events.
 * An event is complete at a blank line, so partial lines and events split across
 * chunks are held until the rest arrives; nothing is buffered beyond one event.
 */
export class SseParser {
  private pending = '';
  private current: SseEvent = {};
  private hasFields = false;

  push(chunk: string): SseEvent[] {
    this.pending += chunk;
    const events: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const lf = this.pending.indexOf('\n', start);
      const cr = this.pending.indexOf('\r', start);
      let end: number;
      let next: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        // A lone CR at the end of the chunk may be the first half of CRLF: wait for more.
        if (cr === this.pending.length - 1) break;
        end = cr;
        next = this.pending[cr + 1] === '\n' ? cr + 2 : cr + 1;
      } else if (lf !== -1) {
        end = lf;
        next = lf + 1;
      } else break;
      const line = this.pending.slice(start, end);
      start = next;
      const event = this.processLine(line);
      if (event) events.push(event);
    }
    this.pending = this.pending.slice(start);
    return events;
  }

  /** At end of stream: an unterminated last event is discarded, as browsers do. */
  end(): SseEvent[] {
    this.pending = '';
    this.current = {};
    this.hasFields = false;
    return [];
  }

  private processLine(line: string): SseEvent | null {
    if (line === '') {
      if (!this.hasFields) return null;
      const done = this.current;
      this.current = {};
      this.hasFields = false;
      return done;
    }
    this.hasFields = true;
    if (line.startsWith(':')) {
      (this.current.comments ??= []).push(line.slice(1));
      return null;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.current.data = this.current.data === undefined ? value : this.current.data + '\n' + value;
        break;
      case 'id':
        if (!value.includes('\0')) this.current.id = value;
        break;
      case 'event':
        this.current.event = value;
        break;
      case 'retry':
        this.current.retry = value;
        break;
      default:
        break; // unknown fields are ignored by the spec
    }
    return null;
  }
}

/** Writes an event back in canonical form; ids and event names are preserved exactly. */
export function serializeSseEvent(event: SseEvent): string {
  let out = '';
  for (const c of event.comments ?? []) out += `:${c}\n`;
  if (event.event !== undefined) out += `event: ${event.event}\n`;
  if (event.id !== undefined) out += `id: ${event.id}\n`;
  if (event.retry !== undefined) out += `retry: ${event.retry}\n`;
  if (event.data !== undefined) for (const line of event.data.split('\n')) out += `data: ${line}\n`;
  return out + '\n';
}
