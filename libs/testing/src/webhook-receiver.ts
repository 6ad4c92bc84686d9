import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer } from './arrival-waiters.js';

/**
 * A receiver of MCP Guard's signed audit webhooks, as a customer would write one: it recomputes
 * `X-MCPG-Signature` (`sha256=` HMAC over `<X-MCPG-Timestamp>.<body>`) in constant time, refuses
 * timestamps older than `toleranceSeconds` (replays) with 401, needs `application/json` with an
 * `events` array (else 400), and drops a batch whose `X-MCPG-Batch-Id` it already has (answering
 * 200, so a retried batch counts once).
 */
export interface WebhookReceiver {
  readonly url: string;
  readonly events: unknown[];
  readonly requests: number;
  readonly rejected: number;
  /** Answers the next `count` requests with `status` (e.g. 500, 429). */
  failNextRequests(count: number, status?: number): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(options: { secret: string; toleranceSeconds?: number }): Promise<WebhookReceiver> {
  const events: unknown[] = [];
  const batches = new Set<string>();
  let requests = 0;
  let rejected = 0;
  const failures: number[] = [];
  const tolerance = options.toleranceSeconds ?? 300;

  const answer = (req: IncomingMessage, body: string): number => {
    const failure = failures.shift();
    if (failure !== undefined) return failure;
    if (req.method !== 'POST') return 405;
    const timestamp = String(req.headers['x-mcpg-timestamp'] ?? '');
    const signature = Buffer.from(String(req.headers['x-mcpg-signature'] ?? ''));
    const expected = Buffer.from(`sha256=${createHmac('sha256', options.secret).update(`${timestamp}.${body}`).digest('hex')}`);
    const isFresh = /^\d+$/.test(timestamp) && Math.abs(Date.now() / 1000 - Number(timestamp)) <= tolerance;
    if (!isFresh || signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
      rejected++;
      return 401;
    }
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return 400;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return 400;
    }
    const batch = (parsed as { events?: unknown }).events;
    if (!Array.isArray(batch)) return 400;
    const batchId = String(req.headers['x-mcpg-batch-id'] ?? '');
    if (batchId && batches.has(batchId)) return 200;
    if (batchId) batches.add(batchId);
    events.push(...batch);
    return 200;
  };

  const server = createServer((req, res) => {
    requests++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => res.writeHead(answer(req, Buffer.concat(chunks).toString('utf8'))).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/audit`,
    events,
    get requests() {
      return requests;
    },
    get rejected() {
      return rejected;
    },
    failNextRequests(count, status = 500) {
      for (let i = 0; i < count; i++) failures.push(status);
    },
    close: () => closeServer(server),
  };
}
