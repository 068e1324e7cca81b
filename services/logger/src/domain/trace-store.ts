import type { SpanRecord } from './span-record';

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
