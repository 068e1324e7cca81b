import type { LogEntry } from './log-entry';
import { EntryRefusedError, type InsertOutcome } from './log-store';

export interface WriteBatcherOptions {
  /** Largest batch handed to one insert. */
  maxBatch: number;
  /** Inserts running at once; while all are busy, new writes queue and form the next batch. */
  maxInFlight: number;
}

/** What became of one write: stored now, or found already stored under its event_id. */
export type WriteOutcome = 'written' | 'duplicate';

interface Pending {
  entry: LogEntry;
  resolve: (outcome: WriteOutcome) => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces concurrent single writes into multi-row inserts: writes arriving in the same event-loop
 * turn (or while every insert slot is busy) share one statement. One round-trip per batch instead
 * of per write is what makes WriteLog throughput scale with concurrency. Each write settles on its
 * own entry's outcome: an entry the store refuses rejects (EntryRefusedError) only its own writer.
 */
export class WriteBatcher {
  private pending: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly insert: (entries: LogEntry[]) => Promise<InsertOutcome>,
    private readonly options: WriteBatcherOptions,
  ) {}

  /** Resolves with the entry's outcome; rejects EntryRefusedError when the store refused it. */
  write(entry: LogEntry): Promise<WriteOutcome> {
    return new Promise<WriteOutcome>((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      if (this.pending.length >= this.options.maxBatch) this.drain();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.drain();
        });
      }
    });
  }

  private drain(): void {
    while (this.pending.length > 0 && this.inFlight < this.options.maxInFlight) {
      const batch = this.pending.splice(0, this.options.maxBatch);
      this.inFlight += 1;
      void this.flush(batch).finally(() => {
        this.inFlight -= 1;
        this.drain();
      });
    }
  }

  private async flush(batch: Pending[]): Promise<void> {
    // Two writes of one event_id in the same batch: the first is the write, the rest duplicates.
    const first = new Map<string, LogEntry>();
    for (const { entry } of batch) if (!first.has(entry.event_id)) first.set(entry.event_id, entry);
    try {
      const { inserted, refused } = await this.insert([...first.values()]);
      for (const { entry, resolve, reject } of batch) {
        const reason = refused.get(entry.event_id);
        if (reason !== undefined) reject(new EntryRefusedError(entry.event_id, reason));
        else if (first.get(entry.event_id) === entry && inserted.has(entry.event_id)) {
          resolve('written');
        } else resolve('duplicate');
      }
    } catch (error) {
      for (const { reject } of batch) reject(error);
    }
  }
}
