import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ArrivalWaiters, closeServer, RequestGate } from './arrival-waiters.js';

/**
 * An Elasticsearch `_bulk` endpoint for tests, faithful to the parts an audit sink relies on, so a
 * client that gets the protocol wrong fails here as it would against Elasticsearch 8:
 *
 * - `POST /_bulk` and `POST /{index}/_bulk`; `Content-Type` must be `application/x-ndjson` or
 *   `application/json` (else 406 like ES); the body must end with a newline (else 400
 *   `illegal_argument_exception`); action lines `create`, `index`, `delete`, `update`, with
 *   `_index` from the line or the path (else 400 `action_request_validation_exception`).
 * - Authentication: `Authorization: ApiKey <base64 id:key>` or `Basic <base64 user:password>`,
 *   else 401 `security_exception`.
 * - Per-item results in order with `errors: true|false`; `create` of an existing `_id` is item
 *   status 409 `version_conflict_engine_exception`; a missing `_id` gets a generated one (which
 *   makes a retried batch duplicate, so tests see it).
 * - Data streams (names listed in `dataStreams`) accept only `create` (`index` gets item 400) and
 *   need `@timestamp`.
 * Faults: whole requests answered 429/500/503, or chosen items answered 429
 * `es_rejected_execution_exception` / 400 `mapper_parsing_exception`.
 */
export interface ElasticReceiverOptions {
  /** `ApiKey` credentials (`id:api_key`, base64-encoded on the wire). */
  apiKey?: { id: string; key: string };
  basic?: { username: string; password: string };
  /** Index names that are data streams. */
  dataStreams?: readonly string[];
}

export interface ElasticReceiver {
  readonly url: string;
  /** Stored documents by index, then `_id`. */
  readonly indices: Map<string, Map<string, Record<string, unknown>>>;
  /** Every stored document in arrival order (a duplicate `_id` never appears twice). */
  readonly documents: { index: string; id: string; source: Record<string, unknown> }[];
  /** HTTP requests received, whatever the answer. */
  readonly requests: number;
  /** Items answered 409 because the `_id` existed. */
  readonly conflicts: number;
  /** Answers `count` more requests with `status` (429, 500 or 503) and ES's error body; calls queue up. */
  failNextRequests(count: number, status?: 429 | 500 | 503): void;
  /** Drops the request failures still queued: the cluster recovers. */
  clearFailures(): void;
  /** Rejects the next `count` create/index items whose `_id` satisfies `match` with `status`. */
  rejectItems(count: number, status: 429 | 400, match?: (id: string) => boolean): void;
  waitForDocuments(count: number, timeoutMs?: number): Promise<ElasticReceiver['documents']>;
  /** `gate.hold()` keeps every request open, unanswered and unapplied, until `gate.release()`. */
  readonly gate: RequestGate;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body: unknown;
}

const errorReply = (status: number, type: string, reason: string): Reply => ({
  status,
  body: { error: { root_cause: [{ type, reason }], type, reason }, status },
});

export async function startElasticReceiver(options: ElasticReceiverOptions = {}): Promise<ElasticReceiver> {
  const indices = new Map<string, Map<string, Record<string, unknown>>>();
  const documents: ElasticReceiver['documents'] = [];
  const dataStreams = new Set(options.dataStreams ?? []);
  let requests = 0;
  let conflicts = 0;
  const failures: number[] = [];
  let itemRejections = { count: 0, status: 429 as number, match: (_id: string) => true };
  let seqNo = 0;
  const arrivals = new ArrivalWaiters();
  const gate = new RequestGate();

  const authorized = (header: string | undefined): boolean => {
    if (!header) return false;
    const [scheme, value] = header.split(' ', 2);
    if (scheme === 'ApiKey' && options.apiKey) return value === Buffer.from(`${options.apiKey.id}:${options.apiKey.key}`).toString('base64');
    if (scheme === 'Basic' && options.basic) return value === Buffer.from(`${options.basic.username}:${options.basic.password}`).toString('base64');
    return false;
  };

  const handle = (req: IncomingMessage, body: string): Reply => {
    const failure = failures.shift();
    if (failure !== undefined) {
      return failure === 429
        ? errorReply(429, 'es_rejected_execution_exception', 'rejected execution of coordinating operation')
        : errorReply(failure, failure === 503 ? 'unavailable_shards_exception' : 'internal_server_error', 'node is not available');
    }
    if (!authorized(req.headers.authorization)) {
      return errorReply(401, 'security_exception', 'missing authentication credentials for REST request [/_bulk]');
    }
    const path = new URL(req.url ?? '/', 'http://es').pathname;
    const match = /^\/(?:([^/_][^/]*)\/)?_bulk\/?$/.exec(path);
    if (!match || req.method !== 'POST') return errorReply(405, 'illegal_argument_exception', `Incorrect HTTP method for uri [${path}]`);
    const pathIndex = match[1] ? decodeURIComponent(match[1]) : undefined;
    const contentType = String(req.headers['content-type'] ?? '').split(';')[0]!.trim();
    if (contentType !== 'application/x-ndjson' && contentType !== 'application/json') {
      return { status: 406, body: { error: `Content-Type header [${contentType}] is not supported`, status: 406 } };
    }
    if (body.length === 0) return errorReply(400, 'parse_exception', 'request body is required');
    if (!body.endsWith('\n')) return errorReply(400, 'illegal_argument_exception', 'The bulk request must be terminated by a newline [\\n]');

    const lines = body.split('\n').slice(0, -1);
    const operations: { action: string; index: string; id: string | undefined; source?: Record<string, unknown> }[] = [];
    for (let i = 0; i < lines.length; i++) {
      let actionLine: unknown;
      try {
        actionLine = JSON.parse(lines[i]!);
      } catch {
        return errorReply(400, 'x_content_parse_exception', `[1:1] Malformed action/metadata line [${i + 1}]`);
      }
      const entries = typeof actionLine === 'object' && actionLine !== null ? Object.entries(actionLine) : [];
      const [action, meta] = entries[0] ?? [];
      if (entries.length !== 1 || !action || !['create', 'index', 'delete', 'update'].includes(action)) {
        return errorReply(400, 'illegal_argument_exception', `Malformed action/metadata line [${i + 1}], expected a simple value for field [${action}]`);
      }
      const m = (meta ?? {}) as { _index?: unknown; _id?: unknown };
      const index = typeof m._index === 'string' ? m._index : pathIndex;
      if (!index) return errorReply(400, 'action_request_validation_exception', 'Validation Failed: 1: index is missing;');
      const op: (typeof operations)[number] = { action, index, id: typeof m._id === 'string' ? m._id : undefined };
      if (action !== 'delete') {
        const sourceLine = lines[++i];
        let source: unknown;
        try {
          source = sourceLine === undefined ? undefined : JSON.parse(sourceLine);
        } catch {
          source = undefined;
        }
        if (typeof source !== 'object' || source === null || Array.isArray(source)) {
          return errorReply(400, 'illegal_argument_exception', `The bulk request must be terminated by a newline [\\n]`);
        }
        op.source = source as Record<string, unknown>;
      }
      operations.push(op);
    }

    let errors = false;
    const items = operations.map((op) => {
      const result = applyOperation(op);
      if (result.status >= 300) errors = true;
      return { [op.action]: result };
    });
    arrivals.notify();
    return { status: 200, body: { took: 1, errors, items } };
  };

  const applyOperation = (op: { action: string; index: string; id: string | undefined; source?: Record<string, unknown> }): Record<string, unknown> & { status: number } => {
    const id = op.id ?? randomUUID().replace(/-/g, '').slice(0, 20);
    const base = { _index: op.index, _id: id };
    const itemError = (status: number, type: string, reason: string) => ({ ...base, status, error: { type, reason, index: op.index } });
    if (op.action !== 'create' && op.action !== 'index') return itemError(400, 'illegal_argument_exception', `${op.action} is not supported by this receiver`);
    if (dataStreams.has(op.index)) {
      if (op.action !== 'create') return itemError(400, 'illegal_argument_exception', `only write ops with an op_type of create are allowed in data streams`);
      if (typeof op.source?.['@timestamp'] !== 'string') return itemError(400, 'mapper_parsing_exception', 'data stream timestamp field [@timestamp] is missing');
    }
    if (itemRejections.count > 0 && itemRejections.match(id)) {
      itemRejections.count--;
      return itemRejections.status === 429
        ? itemError(429, 'es_rejected_execution_exception', 'rejected execution of primary operation')
        : itemError(400, 'mapper_parsing_exception', 'failed to parse');
    }
    let index = indices.get(op.index);
    if (!index) indices.set(op.index, (index = new Map()));
    if (op.action === 'create' && index.has(id)) {
      conflicts++;
      return itemError(409, 'version_conflict_engine_exception', `[${id}]: version conflict, document already exists (current version [1])`);
    }
    const isNew = !index.has(id);
    index.set(id, op.source!);
    if (isNew) documents.push({ index: op.index, id, source: op.source! });
    return { ...base, _version: 1, result: isNew ? 'created' : 'updated', _shards: { total: 2, successful: 1, failed: 0 }, _seq_no: seqNo++, _primary_term: 1, status: isNew ? 201 : 200 };
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests++;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      await gate.pass();
      const reply = handle(req, Buffer.concat(chunks).toString('utf8'));
      const payload = JSON.stringify(reply.body);
      res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'x-elastic-product': 'Elasticsearch' });
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    indices,
    documents,
    get requests() {
      return requests;
    },
    get conflicts() {
      return conflicts;
    },
    failNextRequests(count, status = 503) {
      for (let i = 0; i < count; i++) failures.push(status);
    },
    clearFailures() {
      failures.length = 0;
    },
    rejectItems(count, status, match = () => true) {
      itemRejections = { count, status, match };
    },
    waitForDocuments(count, timeoutMs = 10_000) {
      return arrivals.waitFor(documents, count, timeoutMs, () => `Elastic receiver: ${documents.length} of ${count} documents (${requests} requests)`);
    },
    gate,
    close: () => {
      gate.release();
      return closeServer(server);
    },
  };
}
