import { AppError } from '@micromesh/kit';
import type { LogEntry } from './log-entry';
import type { LogQuery } from './log-query';
import type { SpanRecord } from './span-record';

// The ports of the logger's domain: the log store and the trace store, which the adapters
// (adapters/postgres, adapters/mongo) implement, and the errors their callers can rely on.

/**
 * What one `insertMany` call did with each entry. An entry in neither `inserted` nor `refused`
 * was already stored (an idempotent redelivery), which is not an error.
 */
export interface InsertOutcome {
  /** event_ids stored by this call. */
  inserted: Set<string>;
  /**
   * event_ids the store refused on their own — data it cannot hold (an encoding, a size, a shape
   * the database rejects) — each with the store's reason. A refusal affects only that entry: every
   * other entry of the call is stored (or found stored) as if it had come alone.
   */
  refused: Map<string, string>;
}

/**
 * The storage port. Two adapters implement it (PostgreSQL, MongoDB) and one contract test suite
 * holds both to the same behaviour.
 */
export interface LogStore {
  readonly kind: 'postgres' | 'mongodb';
  /** Creates/updates schema and indexes (idempotent; safe with several replicas). */
  init(): Promise<void>;
  /**
   * Stores entries (distinct event_ids) in as few statements as the store allows and reports each
   * one's outcome (see InsertOutcome). Throws StoreUnavailableError when the store cannot be
   * reached — never for one entry's data, which is a refusal in the outcome.
   */
  insertMany(entries: readonly LogEntry[]): Promise<InsertOutcome>;
  /** Newest first (timestamp desc, event_id desc); at most `limit` entries. */
  query(query: LogQuery): Promise<LogEntry[]>;
  get(eventId: string): Promise<LogEntry | undefined>;
  /** Retention: deletes entries whose timestamp is before `cutoff`; returns how many. */
  deleteOlderThan(cutoff: Date): Promise<number>;
  /** Throws StoreUnavailableError when the store does not answer. */
  ping(): Promise<void>;
  /**
   * Calls `onEntries` with entries committed by ANY replica from now on (the live tail): live once
   * this resolves. Best effort: entries committed while the watch reconnects may not be replayed.
   */
  watch(onEntries: (entries: LogEntry[]) => void): Promise<StoreWatch>;
  close(): Promise<void>;
}

export interface StoreWatch {
  /**
   * How new entries reach the tail: 'push' — the store announces commits (PostgreSQL
   * LISTEN/NOTIFY, a MongoDB change stream); 'polling' — the server cannot (a standalone MongoDB,
   * FerretDB), so new entries are read periodically.
   */
  readonly delivery: 'push' | 'polling';
  close(): Promise<void>;
}

export interface TraceListQuery {
  /** Traces with at least one span from this service. */
  service?: string;
  /** Traces lasting at least this long (first span start to last span end). */
  minDurationUs?: number;
  /** true: traces with a failed span; false: traces without one. */
  error?: boolean;
  /** Only traces with spans that started at or after this time. */
  since: Date;
  /** `recent`: newest first; `slowest`: longest first. */
  sort: 'recent' | 'slowest';
  limit: number;
}

/** One line of the trace list. */
export interface TraceSummary {
  trace_id: string;
  /** Service and name of the root span (the one without a parent, else the earliest). */
  root_service: string;
  root_name: string;
  start_us: number;
  duration_us: number;
  span_count: number;
  error: boolean;
}

/**
 * Where received spans are kept, beside the logs. Two adapters (PostgreSQL, MongoDB) hold to
 * one contract suite, like the LogStore.
 */
export interface TraceStore {
  /** Creates/updates schema and indexes (idempotent). */
  init(): Promise<void>;
  /** Stores spans; a span already stored (same trace_id and span_id) is kept as it was. */
  insertSpans(spans: readonly SpanRecord[]): Promise<number>;
  /** Every span of a trace, by start time; [] when none is stored. */
  getTrace(traceId: string): Promise<SpanRecord[]>;
  listTraces(query: TraceListQuery): Promise<TraceSummary[]>;
  /** Retention: deletes spans that started before `cutoff`; returns how many. */
  deleteOlderThan(cutoff: Date): Promise<number>;
  close(): Promise<void>;
}

/**
 * The store cannot take the work now, for any entry (unreachable, full, read-only, out of time,
 * refusing the logger's credentials): callers answer UNAVAILABLE / 503 and may retry.
 */
export class StoreUnavailableError extends AppError {
  constructor(cause?: unknown, message = 'log store unavailable') {
    super(503, message, { cause });
  }
}

/**
 * Too many single writes already wait for the store (it is slow or stalled): 503 / UNAVAILABLE at
 * once, for the caller to retry later. Not a store failure: the monitor never hears of it.
 */
export class WritesOverloadedError extends AppError {
  constructor(cause?: unknown) {
    super(503, 'log writes overloaded: too many writes wait for the store', { cause });
  }
}

/**
 * The store refused this one entry (InsertOutcome.refused): 400 / INVALID_ARGUMENT for its caller
 * alone. Not an outage: it never marks the store unhealthy and a retry cannot succeed.
 */
export class EntryRefusedError extends AppError {
  constructor(
    readonly eventId: string,
    readonly reason: string,
  ) {
    super(400, 'the log store refused the entry', {
      details: [{ path: 'entry', message: reason }],
    });
  }
}
