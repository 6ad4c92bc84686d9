import { SinkDeliveryError } from './audit-sink.js';

/** A request that got no answer, as a SinkDeliveryError naming the endpoint (never credentials). */
export function describeTransportError(sink: string, endpointLabel: string, timeoutMs: number, err: unknown): SinkDeliveryError {
  const name = err instanceof Error ? err.name : '';
  const cause = err instanceof Error ? err.message : String(err);
  if (name === 'TimeoutError' || name === 'HeadersTimeoutError' || name === 'BodyTimeoutError') {
    return new SinkDeliveryError(sink, 'timeout', `${endpointLabel} did not answer within ${timeoutMs} ms`);
  }
  return new SinkDeliveryError(sink, 'unreachable', `${endpointLabel} unreachable: ${cause}`);
}
