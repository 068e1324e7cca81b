import type { LogEntry } from './log-entry';

export interface WriteBatcherOptions {
  /** Largest batch handed to one insert. */
  maxBatch: number;
  /** Inserts running at once; while all are busy, new writes queue and form the next batch. */
  maxInFlight: number;
}

interface Pending {
  entry: LogEntry;
  resolve: (inserted: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces concurrent single writes into multi-row inserts: writes arriving in the same event-loop
 * turn (or while every insert slot is busy) share one statement. One round-trip per batch instead
 * of per write is what makes WriteLog throughput scale with concurrency.
 */
export class WriteBatcher {
  private pending: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly insert: (entries: LogEntry[]) => Promise<Set<string>>,
    private readonly options: WriteBatcherOptions,
  ) {}

  /** Resolves true when stored now, false when the event_id was already stored. */
  write(entry: LogEntry): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
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
      const inserted = await this.insert([...first.values()]);
      for (const { entry, resolve } of batch) {
        resolve(first.get(entry.event_id) === entry && inserted.has(entry.event_id));
      }
    } catch (error) {
      for (const { reject } of batch) reject(error);
    }
  }
}
