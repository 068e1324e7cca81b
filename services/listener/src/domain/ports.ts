import type { LogEvent } from '@micromesh/contracts';

/** What to do with a batch the downstream store refused. */
export type FailureKind =
  /** Transient (store down, deadline): hold the batch and try it again after a backoff. */
  | 'retry'
  /** The data itself was refused: split the batch to find the bad item(s), give those up. */
  | 'reject'
  /**
   * Neither (e.g. INTERNAL): split the batch to find the item(s) it follows; an item that still
   * fails alone gets a bounded number of attempts, then it is given up.
   */
  | 'unknown';

/** What a forward call reports beyond "stored": items the store refused one by one. */
export interface ForwardReport {
  /** Index in the batch → the store's refusal of that item; every other item is stored. */
  refused?: ReadonlyMap<number, unknown>;
}

export interface WriteResult extends ForwardReport {
  written: number;
  duplicates: number;
}

/**
 * The store the listener forwards events to (the logger): idempotent by event_id, so a batch sent
 * twice is stored once. Its failures are explained by `classify` and `describe`, which know the
 * store's own error vocabulary.
 */
export interface LogWriter {
  /** Resolves once the store holds every event but those it reports refused. */
  write(events: readonly LogEvent[]): Promise<WriteResult>;
  /** What a failed `write` means for its batch: hold it, split it, or count against it. */
  classify(error: unknown): FailureKind;
  /** The refusing party's own words, for the dead letter's header and the log. */
  describe(error: unknown): string;
  /**
   * Bytes `event` adds to a write request (at least): batches are cut by it, under the store's
   * request limit. The re-encoding, not the message body: metadata written as `1e20` comes out as
   * `100000000000000000000`.
   */
  requestBytes(event: LogEvent): number;
  /** False while the store cannot be reached at all. */
  reachable(): boolean;
  close(): void;
}
