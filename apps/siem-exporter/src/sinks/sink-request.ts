import { request, type Dispatcher } from 'undici';
import { SinkDeliveryError } from './audit-sink.js';

export interface SinkRequest {
  /** Sink name and endpoint (origin and path, never credentials), for error messages. */
  sink: string;
  endpointLabel: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  dispatcher: Dispatcher;
  timeoutMs: number;
}

/**
 * POSTs to a sink and reads the whole reply, bounded by `timeoutMs`. A request that gets no
 * answer becomes a SinkDeliveryError (`timeout` or `unreachable`); judging the answer is the
 * sink's business.
 */
export async function postToSink(req: SinkRequest): Promise<{ statusCode: number; text: string }> {
  try {
    const res = await request(req.url, {
      method: 'POST',
      headers: req.headers,
      body: req.body,
      dispatcher: req.dispatcher,
      signal: AbortSignal.timeout(req.timeoutMs),
    });
    return { statusCode: res.statusCode, text: await res.body.text() };
  } catch (err) {
    throw describeTransportError(req.sink, req.endpointLabel, req.timeoutMs, err);
  }
}

function describeTransportError(sink: string, endpointLabel: string, timeoutMs: number, err: unknown): SinkDeliveryError {
  const name = err instanceof Error ? err.name : '';
  const cause = err instanceof Error ? err.message : String(err);
  if (name === 'TimeoutError' || name === 'HeadersTimeoutError' || name === 'BodyTimeoutError') {
    return new SinkDeliveryError(sink, 'timeout', `${endpointLabel} did not answer within ${timeoutMs} ms`);
  }
  return new SinkDeliveryError(sink, 'unreachable', `${endpointLabel} unreachable: ${cause}`);
}
