import type { AuditEvent } from '@mcpg/audit';

/** A destination for audit batches: Splunk HEC, Elastic `_bulk`, a JSON Lines file. */
export interface AuditSink {
  /**
   * Unique among one exporter's sinks and stable across restarts: a job records the names of the
   * sinks that already have its batch, so a retry only goes to the ones that failed.
   */
  readonly name: string;
  /** Resolves once the sink has durably accepted every event; rejects with a SinkDeliveryError. */
  deliver(events: readonly AuditEvent[]): Promise<void>;
  close?(): Promise<void>;
}

export type SinkFailureCode =
  /** No answer: connection refused or reset, DNS, TLS. */
  | 'unreachable'
  | 'timeout'
  /** The sink answered with an error status or an error in its reply body. */
  | 'rejected'
  /** Local I/O, e.g. the JSON Lines file could not be written. */
  | 'io';

/** Why one sink did not take a batch. Messages name the sink and the cause, never a credential. */
export class SinkDeliveryError extends Error {
  override readonly name = 'SinkDeliveryError';

  constructor(
    readonly sink: string,
    readonly code: SinkFailureCode,
    message: string,
    /** HTTP status, when the sink answered. */
    readonly status?: number,
    /**
     * Set when the sink took part of the batch (Elastic `_bulk` item results): the ids of the
     * events it still lacks. A retry then sends only those to this sink.
     */
    readonly undeliveredIds?: readonly string[],
  ) {
    super(`${sink}: ${message}`);
  }
}
