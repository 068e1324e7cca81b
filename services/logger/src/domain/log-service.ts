import { describeIssues, eventIdSchema, logEntryInputSchema } from '@micromesh/contracts';
import { AppError, currentTraceIds, parseInput } from '@micromesh/kit';
import { toLogEntry, type LogEntry } from './log-entry';
import { encodeCursor, toLogQuery, querySchema, type LogPage } from './log-query';
import { StoreUnavailableError, type InsertOutcome, type LogStore } from './ports';
import type { StoreMonitor } from './store-monitor';
import { coalescedWrites, type WriteOutcome } from './coalesced-writes';

export interface LogServiceOptions {
  maxBatch: number;
  writeBatchMax: number;
  writeMaxInFlight: number;
  /** Single writes allowed to wait for an insert (beyond: WritesOverloadedError, 503). */
  writeMaxPending?: number;
  observer?: WriteObserver;
}

/** Told about every write (metrics live outside the domain). */
export interface WriteObserver {
  stored(written: number, duplicates: number): void;
  /** Entries refused: by the contract schema, or by the store itself. */
  rejected(count: number): void;
  /** Size of each multi-row insert coalesced from single writes. */
  coalesced(batchSize: number): void;
}

export interface WriteResult {
  event_id: string;
  duplicate: boolean;
}

/** One entry of a batch: stored now, already stored, or refused (with why; never retry it). */
export type EntryResult =
  | { event_id: string; outcome: WriteOutcome }
  | { event_id: string; outcome: 'rejected'; reason: string };

export interface BatchResult {
  written: number;
  duplicates: number;
  rejected: number;
  /** One per entry, in request order. */
  results: EntryResult[];
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
  private readonly writeCoalesced: (entry: LogEntry) => Promise<WriteOutcome>;

  constructor(
    private readonly store: LogStore,
    private readonly monitor: StoreMonitor,
    private readonly options: LogServiceOptions,
  ) {
    this.writeCoalesced = coalescedWrites(
      (entries) => {
        options.observer?.coalesced(entries.length);
        return this.insert(entries);
      },
      {
        maxBatch: options.writeBatchMax,
        maxInFlight: options.writeMaxInFlight,
        maxPending: options.writeMaxPending,
      },
    );
  }

  /**
   * Validates and stores one entry (coalesced with concurrent writes into one insert). An invalid
   * entry, or one the store refuses, is a 400 for this caller alone.
   */
  async writeOne(input: unknown): Promise<WriteResult> {
    const entry = traced(toLogEntry(parseInput(logEntryInputSchema, input, 'invalid log entry')));
    let outcome: WriteOutcome;
    try {
      outcome = await this.writeCoalesced(entry);
    } catch (error) {
      if (error instanceof AppError && error.status === 400) this.options.observer?.rejected(1);
      throw error;
    }
    const written = outcome === 'written';
    this.options.observer?.stored(written ? 1 : 0, written ? 0 : 1);
    return { event_id: entry.event_id, duplicate: !written };
  }

  /**
   * Stores a batch in one multi-row insert and reports every entry's outcome, in order: an entry
   * that fails the contract schema or that the store refuses is `rejected` with its reason while
   * the others are stored. Only a batch-wide problem (too many entries, store down) throws.
   */
  async writeMany(inputs: unknown[]): Promise<BatchResult> {
    if (inputs.length > this.options.maxBatch) {
      throw AppError.badRequest(`at most ${this.options.maxBatch} entries per batch`, [
        { path: 'entries', message: `${inputs.length} entries` },
      ]);
    }
    const now = new Date();
    const parsed = inputs.map((input): Parsed => {
      const result = logEntryInputSchema.safeParse(input);
      return result.success
        ? { valid: true, entry: traced(toLogEntry(result.data, now)) }
        : { valid: false, event_id: claimedEventId(input), reason: describeIssues(result.error) };
    });
    const unique = new Map<string, LogEntry>();
    for (const item of parsed) {
      if (item.valid && !unique.has(item.entry.event_id)) {
        unique.set(item.entry.event_id, item.entry);
      }
    }
    const stored: InsertOutcome =
      unique.size > 0
        ? await this.insert([...unique.values()])
        : { inserted: new Set(), refused: new Map() };

    const claimed = new Set<string>();
    const results = parsed.map((item): EntryResult => {
      if (!item.valid) return { event_id: item.event_id, outcome: 'rejected', reason: item.reason };
      const { event_id } = item.entry;
      const reason = stored.refused.get(event_id);
      if (reason !== undefined) return { event_id, outcome: 'rejected', reason };
      // A repeated event_id in one batch: its first occurrence is the write, the rest duplicates.
      const first = !claimed.has(event_id);
      claimed.add(event_id);
      return {
        event_id,
        outcome: first && stored.inserted.has(event_id) ? 'written' : 'duplicate',
      };
    });
    const count = (outcome: EntryResult['outcome']) =>
      results.filter((r) => r.outcome === outcome).length;
    const result = {
      written: count('written'),
      duplicates: count('duplicate'),
      rejected: count('rejected'),
      results,
    };
    this.options.observer?.stored(result.written, result.duplicates);
    if (result.rejected > 0) this.options.observer?.rejected(result.rejected);
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
    const id = parseInput(eventIdSchema, eventId, 'invalid event id');
    const entry = await this.guard(() => this.store.get(id));
    if (!entry) throw AppError.notFound('log entry not found');
    return entry;
  }

  private insert(entries: LogEntry[]): Promise<InsertOutcome> {
    return this.guard(() => this.store.insertMany(entries));
  }

  /**
   * While the monitor knows the store is down, fail at once instead of waiting on a connection
   * attempt; a store failure seen here tells the monitor without waiting for its next probe.
   * A refused entry is not a failure of the store: the monitor never hears of it.
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

type Parsed = { valid: true; entry: LogEntry } | { valid: false; event_id: string; reason: string };

/** The event_id an invalid entry claimed, when it is a string at all (for the caller's bookkeeping). */
function claimedEventId(input: unknown): string {
  const id = (input as { event_id?: unknown } | null)?.event_id;
  return typeof id === 'string' ? id : '';
}
