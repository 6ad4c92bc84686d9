import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ArrivalWaiters, closeServer, RequestGate } from './arrival-waiters.js';

/**
 * A Splunk HTTP Event Collector for tests: the JSON event endpoint with Splunk's status codes and
 * reply bodies, so a client that gets the protocol wrong fails here as it would against Splunk.
 *
 * Covered: `POST /services/collector`, `/services/collector/event`, `/services/collector/event/1.0`;
 * `Authorization: Splunk <token>`; a body of concatenated JSON objects (whitespace between them
 * optional), each with a non-blank `event`; an optional allow-list of indexes. As in Splunk, the
 * events before the first invalid one in a request are kept and the reply carries
 * `invalid-event-number`. Not covered: raw endpoint, gzip.
 *
 * Indexer acknowledgement (`ack: true`, as on a token with "Enable indexer acknowledgement"):
 * event requests need a GUID channel (`X-Splunk-Request-Channel` header or `?channel=`; code 10
 * missing, 11 invalid) and are answered with an `ackId` counting from 0 per channel; the events
 * are indexed at once (unless lost, see `loseNextBatches`). `POST /services/collector/ack`
 * with `{"acks":[ids]}` answers `{"acks":{"<id>":true|false}}`; an id is forgotten once reported
 * true. Without `ack`, the ack endpoint answers code 14 "ACK is disabled".
 */
export interface HecReceiverOptions {
  token: string;
  /** Indexer acknowledgement enabled for the token. */
  ack?: boolean;
  /** Indexes the token may write to; an event naming another gets code 7. Default: any. */
  allowedIndexes?: readonly string[];
}

/** One event as Splunk would index it: the envelope fields plus the `event` payload. */
export interface HecEvent {
  event: unknown;
  time?: number | string;
  host?: string;
  source?: string;
  sourcetype?: string;
  index?: string;
  fields?: Record<string, unknown>;
}

export interface HecReceiver {
  /** Base URL, e.g. `http://127.0.0.1:41234` (clients append `/services/collector/event`). */
  readonly url: string;
  /** Every accepted event, in arrival order. */
  readonly events: HecEvent[];
  /** Accepted events grouped by the request that carried them. */
  readonly batches: HecEvent[][];
  /** Every request received, whatever the answer. */
  readonly requests: number;
  /** Answers the next `count` requests with 503 `Server is busy` (code 9), as an overloaded indexer does. */
  failNextRequests(count: number): void;
  /**
   * With `ack`: the next `count` accepted event requests get an ackId but are lost before
   * indexing (an indexer crash), so their ack stays false forever and their events never appear.
   */
  loseNextBatches(count: number): void;
  /** With `ack`: ack polls received. */
  readonly ackPolls: number;
  /** Resolves with the events once at least `count` have arrived; rejects after `timeoutMs`. */
  waitForEvents(count: number, timeoutMs?: number): Promise<HecEvent[]>;
  /** `gate.hold()` keeps every request open, unanswered, until `gate.release()` (a hanging indexer). */
  readonly gate: RequestGate;
  close(): Promise<void>;
}

interface HecReply {
  status: number;
  body: { text: string; code: number; 'invalid-event-number'?: number; ackId?: number };
}

/** An ack poll's answer is the one HEC reply without `text` and `code`. */
type HecAnswer = HecReply | { status: number; body: { acks: Record<string, boolean> } };

// Splunk's documented HEC status codes (code → HTTP status, text).
const SUCCESS: HecReply = { status: 200, body: { text: 'Success', code: 0 } };
const TOKEN_REQUIRED: HecReply = { status: 401, body: { text: 'Token is required', code: 2 } };
const INVALID_AUTHORIZATION: HecReply = { status: 401, body: { text: 'Invalid authorization', code: 3 } };
const INVALID_TOKEN: HecReply = { status: 403, body: { text: 'Invalid token', code: 4 } };
const NO_DATA: HecReply = { status: 400, body: { text: 'No data', code: 5 } };
const SERVER_BUSY: HecReply = { status: 503, body: { text: 'Server is busy', code: 9 } };
const NOT_FOUND: HecReply = { status: 404, body: { text: 'The requested URL was not found on this server.', code: 404 } };
const invalidData = (n: number): HecReply => ({ status: 400, body: { text: 'Invalid data format', code: 6, 'invalid-event-number': n } });
const incorrectIndex = (n: number): HecReply => ({ status: 400, body: { text: 'Incorrect index', code: 7, 'invalid-event-number': n } });
const eventRequired = (n: number): HecReply => ({ status: 400, body: { text: 'Event field is required', code: 12, 'invalid-event-number': n } });
const eventBlank = (n: number): HecReply => ({ status: 400, body: { text: 'Event field cannot be blank', code: 13, 'invalid-event-number': n } });

const DATA_CHANNEL_MISSING: HecReply = { status: 400, body: { text: 'Data channel is missing', code: 10 } };
const INVALID_DATA_CHANNEL: HecReply = { status: 400, body: { text: 'Invalid data channel', code: 11 } };
const ACK_DISABLED: HecReply = { status: 400, body: { text: 'ACK is disabled', code: 14 } };

const EVENT_PATHS = new Set(['/services/collector', '/services/collector/event', '/services/collector/event/1.0']);
const ACK_PATH = '/services/collector/ack';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Per-channel ack state: the next ackId and the batches waiting to be reported indexed. */
interface AckChannel {
  nextAckId: number;
  /** ackId → whether the batch was indexed (false: lost before indexing, never acknowledged). */
  pending: Map<number, boolean>;
}

export async function startHecReceiver(options: HecReceiverOptions): Promise<HecReceiver> {
  const events: HecEvent[] = [];
  const batches: HecEvent[][] = [];
  let requests = 0;
  let failuresLeft = 0;
  let lossesLeft = 0;
  let ackPolls = 0;
  const channels = new Map<string, AckChannel>();
  const arrivals = new ArrivalWaiters();
  const gate = new RequestGate();

  const index = (accepted: HecEvent[]) => {
    events.push(...accepted);
    batches.push(accepted);
    arrivals.notify();
  };

  const handleAck = (channelId: string | null, body: string): HecAnswer => {
    if (!options.ack) return ACK_DISABLED;
    if (channelId === null) return DATA_CHANNEL_MISSING;
    if (!GUID.test(channelId)) return INVALID_DATA_CHANNEL;
    ackPolls++;
    let ids: unknown;
    try {
      ids = (JSON.parse(body) as { acks?: unknown }).acks;
    } catch {
      return invalidData(0);
    }
    if (!Array.isArray(ids) || !ids.every((id) => Number.isInteger(id))) return invalidData(0);
    const channel = channels.get(channelId);
    const acks: Record<string, boolean> = {};
    for (const id of ids as number[]) {
      const isIndexed = channel?.pending.get(id) === true;
      if (isIndexed) channel!.pending.delete(id);
      acks[String(id)] = isIndexed;
    }
    return { status: 200, body: { acks } };
  };

  const handle = async (req: IncomingMessage): Promise<HecAnswer> => {
    const body = await readBody(req);
    if (failuresLeft > 0) {
      failuresLeft--;
      return SERVER_BUSY;
    }
    const url = new URL(req.url ?? '/', 'http://hec');
    const path = url.pathname.replace(/\/+$/, '');
    if (req.method !== 'POST' || (!EVENT_PATHS.has(path) && path !== ACK_PATH)) return NOT_FOUND;
    const authReply = checkAuthorization(req.headers.authorization, options.token);
    if (authReply) return authReply;
    const header = req.headers['x-splunk-request-channel'];
    const channelId = (typeof header === 'string' ? header : null) ?? url.searchParams.get('channel');
    if (path === ACK_PATH) return handleAck(channelId, body);

    if (options.ack) {
      if (channelId === null) return DATA_CHANNEL_MISSING;
      if (!GUID.test(channelId)) return INVALID_DATA_CHANNEL;
    }
    const accepted: HecEvent[] = [];
    const reply = parseEvents(body, accepted, options.allowedIndexes);
    if (!options.ack) {
      if (accepted.length > 0) index(accepted);
      return reply;
    }
    if (reply.body.code !== 0) return reply;
    let channel = channels.get(channelId!);
    if (!channel) channels.set(channelId!, (channel = { nextAckId: 0, pending: new Map() }));
    const ackId = channel.nextAckId++;
    if (lossesLeft > 0) {
      lossesLeft--;
      channel.pending.set(ackId, false);
    } else {
      index(accepted);
      channel.pending.set(ackId, true);
    }
    return { status: 200, body: { ...reply.body, ackId } };
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests++;
    gate.pass().then(() => handle(req)).then(
      (reply) => send(res, reply),
      () => send(res, { status: 500, body: { text: 'Internal server error', code: 8 } }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    events,
    batches,
    get requests() {
      return requests;
    },
    failNextRequests(count) {
      failuresLeft = count;
    },
    loseNextBatches(count) {
      lossesLeft = count;
    },
    get ackPolls() {
      return ackPolls;
    },
    waitForEvents(count, timeoutMs = 10_000) {
      return arrivals.waitFor(events, count, timeoutMs, () => `HEC receiver: ${events.length} of ${count} events (${requests} requests)`);
    },
    gate,
    close: () => {
      gate.release();
      return closeServer(server);
    },
  };
}

function checkAuthorization(header: string | undefined, token: string): HecReply | null {
  if (header === undefined || header === '') return TOKEN_REQUIRED;
  const match = /^Splunk (\S+)$/.exec(header);
  if (!match) return INVALID_AUTHORIZATION;
  return match[1] === token ? null : INVALID_TOKEN;
}

/**
 * Splits a body of concatenated JSON objects and validates each; accepted events go into
 * `accepted` up to the first invalid one. `invalid-event-number` is 0-based, as in Splunk.
 */
function parseEvents(body: string, accepted: HecEvent[], allowedIndexes?: readonly string[]): HecReply {
  if (body.trim() === '') return NO_DATA;
  let pos = 0;
  for (let n = 0; ; n++) {
    while (pos < body.length && /\s/.test(body[pos]!)) pos++;
    if (pos >= body.length) return SUCCESS;
    const end = endOfObject(body, pos);
    if (end < 0) return invalidData(n);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.slice(pos, end));
    } catch {
      return invalidData(n);
    }
    pos = end;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return invalidData(n);
    const envelope = parsed as Record<string, unknown>;
    if (!('event' in envelope) || envelope.event === null) return eventRequired(n);
    if (envelope.event === '') return eventBlank(n);
    if (envelope.time !== undefined && !Number.isFinite(Number(envelope.time))) return invalidData(n);
    for (const field of ['host', 'source', 'sourcetype', 'index'] as const) {
      if (envelope[field] !== undefined && typeof envelope[field] !== 'string') return invalidData(n);
    }
    if (allowedIndexes && typeof envelope.index === 'string' && !allowedIndexes.includes(envelope.index)) return incorrectIndex(n);
    accepted.push(envelope as unknown as HecEvent);
  }
}

/** Index just past the JSON object starting at `start`, or -1 if there is no complete object. */
function endOfObject(text: string, start: number): number {
  if (text[start] !== '{') return -1;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, reply: HecAnswer): void {
  const payload = JSON.stringify(reply.body);
  res.writeHead(reply.status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}
