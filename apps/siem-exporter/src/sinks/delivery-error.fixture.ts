import { expect } from 'vitest';
import { SinkDeliveryError } from './audit-sink.js';

/** The SinkDeliveryError a delivery rejects with; fails the test if it resolves or rejects otherwise. */
export async function deliveryError(promise: Promise<unknown>): Promise<SinkDeliveryError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SinkDeliveryError);
  return err as SinkDeliveryError;
}
