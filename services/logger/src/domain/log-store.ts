import { AppError } from '@micromesh/kit';
import type { LogEntry } from './log-entry';
import type { LogQuery } from './log-query';

/**
 * The storage port. Two adapters implement it (PostgreSQL, MongoDB) and one contract test suite
 * holds both to the same behaviour.
 */
export interface LogStore {
  readonly kind: 'postgres' | 'mongodb';
  /** Creates/updates schema and indexes (idempotent; safe with several replicas). */
  init(): Promise<void>;
  /**
   * One multi-row insert. Entries must have distinct event_ids. Returns the event_ids actually
   * inserted; the others were already stored (idempotent redelivery), which is not an error.
   */
  insertMany(entries: readonly LogEntry[]): Promise<Set<string>>;
  /** Newest first (timestamp desc, event_id desc); at most `limit` entries. */
  query(query: LogQuery): Promise<LogEntry[]>;
  get(eventId: string): Promise<LogEntry | undefined>;
  /** Retention: deletes entries whose timestamp is before `cutoff`; returns how many. */
  deleteOlderThan(cutoff: Date): Promise<number>;
  /** Throws StoreUnavailableError when the store does not answer. */
  ping(): Promise<void>;
  /**
   * Calls `onEntries` with entries committed by ANY replica from now on (the live tail).
   * Best effort: entries committed while the watch reconnects are not replayed.
   */
  watch(onEntries: (entries: LogEntry[]) => void): Promise<{ close(): Promise<void> }>;
  close(): Promise<void>;
}

/** The store cannot be reached; callers answer UNAVAILABLE / 503 and may retry. */
export class StoreUnavailableError extends AppError {
  constructor(cause?: unknown) {
    super(503, 'log store unavailable', { cause });
  }
}
