import { BatcherOverloadedError, CoalescingBatcher } from '@micromesh/kit';
import type { LogEntry } from './log-entry';
import { EntryRefusedError, WritesOverloadedError, type InsertOutcome } from './ports';

export interface CoalescedWritesOptions {
  /** Largest batch handed to one insert. */
  maxBatch: number;
  /** Inserts running at once; while all are busy, new writes queue and form the next batch. */
  maxInFlight: number;
  /** Writes allowed to wait for an insert; beyond it WritesOverloadedError (default: no bound). */
  maxPending?: number;
}

/** What became of one write: stored now, or found already stored under its event_id. */
export type WriteOutcome = 'written' | 'duplicate';

/** One write's share of a batch's insert. */
type Share = WriteOutcome | { refused: string };

/**
 * Coalesces concurrent single writes into multi-row inserts (the kit's CoalescingBatcher): writes
 * arriving in the same event-loop turn (or while every insert slot is busy) share one statement.
 * One round-trip per batch instead of per write is what makes WriteLog throughput scale with
 * concurrency. Each write settles on its own entry's outcome: an entry the store refuses rejects
 * (EntryRefusedError) only its own writer. Writes beyond `maxPending` waiting (the store is slow
 * or stalled) are answered WritesOverloadedError at once instead of queueing without bound.
 */
export function coalescedWrites(
  insert: (entries: LogEntry[]) => Promise<InsertOutcome>,
  options: CoalescedWritesOptions,
): (entry: LogEntry) => Promise<WriteOutcome> {
  const batcher = new CoalescingBatcher<LogEntry, Share>({
    send: (batch) => insertShares(insert, batch),
    maxBatch: options.maxBatch,
    maxConcurrent: options.maxInFlight,
    maxPending: options.maxPending,
  });
  return async (entry) => {
    const share = await batcher.submit(entry).catch((err: unknown) => {
      throw err instanceof BatcherOverloadedError ? new WritesOverloadedError(err) : err;
    });
    if (typeof share === 'object') throw new EntryRefusedError(entry.event_id, share.refused);
    return share;
  };
}

async function insertShares(
  insert: (entries: LogEntry[]) => Promise<InsertOutcome>,
  batch: LogEntry[],
): Promise<Share[]> {
  // Two writes of one event_id in the same batch: the first is the write, the rest duplicates.
  const first = new Map<string, LogEntry>();
  for (const entry of batch) if (!first.has(entry.event_id)) first.set(entry.event_id, entry);
  const { inserted, refused } = await insert([...first.values()]);
  return batch.map((entry): Share => {
    const reason = refused.get(entry.event_id);
    if (reason !== undefined) return { refused: reason };
    return first.get(entry.event_id) === entry && inserted.has(entry.event_id)
      ? 'written'
      : 'duplicate';
  });
}
