import { AppError, currentTraceIds, parseInput } from '@micromesh/kit';
import { toLogEntry, newLogEntrySchema, type LogEntry } from './log-entry';
import { encodeCursor, toLogQuery, querySchema, type LogPage } from './log-query';
import { StoreUnavailableError, type LogStore } from './log-store';
import type { StoreMonitor } from './store-monitor';
import { WriteBatcher } from './write-batcher';

export interface LogServiceOptions {
  maxBatch: number;
  writeBatchMax: number;
  writeMaxInFlight: number;
  observer?: WriteObserver;
}

/** Told about every stored write (metrics live outside the domain). */
export interface WriteObserver {
  stored(written: number, duplicates: number): void;
  /** Size of each multi-row insert coalesced from single writes. */
  coalesced(batchSize: number): void;
}

export interface WriteResult {
  event_id: string;
  duplicate: boolean;
}

export interface BatchResult {
  written: number;
  duplicates: number;
}

/**
 * An entry its writer sent without trace ids gets those of the call that stored it (the gRPC or
 * HTTP request's span), so every stored record leads to a trace when tracing is on.
 */
function traced(entry: LogEntry): LogEntry {
  if (entry.trace_id) return entry;
  const ids = currentTraceIds();
  return ids ? { ...entry, ...ids } : entry;
}

/** The logger's use cases; entry points (gRPC, HTTP) only translate to and from these. */
export class LogService {
  private readonly batcher: WriteBatcher;

  constructor(
    private readonly store: LogStore,
    private readonly monitor: StoreMonitor,
    private readonly options: LogServiceOptions,
  ) {
    this.batcher = new WriteBatcher(
      (entries) => {
        options.observer?.coalesced(entries.length);
        return this.insert(entries);
      },
      {
        maxBatch: options.writeBatchMax,
        maxInFlight: options.writeMaxInFlight,
      },
    );
  }

  /** Validates and stores one entry (coalesced with concurrent writes into one insert). */
  async writeOne(input: unknown): Promise<WriteResult> {
    const entry = traced(toLogEntry(parseInput(newLogEntrySchema, input, 'invalid log entry')));
    const inserted = await this.batcher.write(entry);
    this.options.observer?.stored(inserted ? 1 : 0, inserted ? 0 : 1);
    return { event_id: entry.event_id, duplicate: !inserted };
  }

  /** Validates every entry first (all or nothing), then stores them in one multi-row insert. */
  async writeMany(inputs: unknown[]): Promise<BatchResult> {
    if (inputs.length > this.options.maxBatch) {
      throw AppError.badRequest(`at most ${this.options.maxBatch} entries per batch`, [
        { path: 'entries', message: `${inputs.length} entries` },
      ]);
    }
    const now = new Date();
    const entries = inputs.map((input, i) =>
      traced(
        toLogEntry(parseInput(newLogEntrySchema, input, `invalid log entry at index ${i}`), now),
      ),
    );
    const unique = new Map<string, LogEntry>();
    for (const entry of entries) if (!unique.has(entry.event_id)) unique.set(entry.event_id, entry);
    const inserted = unique.size > 0 ? await this.insert([...unique.values()]) : new Set();
    const result = { written: inserted.size, duplicates: entries.length - inserted.size };
    this.options.observer?.stored(result.written, result.duplicates);
    return result;
  }

  async query(input: unknown): Promise<LogPage<LogEntry>> {
    const query = toLogQuery(parseInput(querySchema, input, 'invalid query'));
    const rows = await this.guard(() => this.store.query({ ...query, limit: query.limit + 1 }));
    const entries = rows.slice(0, query.limit);
    const last = entries.at(-1);
    return {
      entries,
      next_cursor: rows.length > query.limit && last ? encodeCursor(last) : null,
    };
  }

  async get(eventId: string): Promise<LogEntry> {
    const id = parseInput(newLogEntrySchema.shape.event_id.unwrap(), eventId, 'invalid event id');
    const entry = await this.guard(() => this.store.get(id));
    if (!entry) throw AppError.notFound('log entry not found');
    return entry;
  }

  private insert(entries: LogEntry[]): Promise<Set<string>> {
    return this.guard(() => this.store.insertMany(entries));
  }

  /**
   * While the monitor knows the store is down, fail at once instead of waiting on a connection
   * attempt; a store failure seen here tells the monitor without waiting for its next probe.
   */
  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    if (!this.monitor.isUp) throw new StoreUnavailableError();
    try {
      return await operation();
    } catch (error) {
      if (error instanceof StoreUnavailableError) this.monitor.reportFailure();
      throw error;
    }
  }
}
