import { coalescedWrites } from '../src/domain/coalesced-writes';
import type { LogEntry } from '../src/domain/log-entry';
import { EntryRefusedError, WritesOverloadedError, type LogStore } from '../src/domain/ports';
import { aLogEntry } from './factories';
import { configuredBackends } from './store-backends';

describe('Coalesced single writes on the real PostgreSQL store', () => {
  let store: LogStore;
  let drop: () => Promise<void>;
  const postgres = configuredBackends().find((b) => b.name === 'postgres')!;

  beforeAll(async () => {
    ({ store, drop } = await postgres.create());
  });
  afterAll(async () => {
    await drop();
  });

  /** The real insert, recording each batch size it was handed. */
  function recordingInsert(batches: number[]) {
    return (entries: LogEntry[]) => {
      batches.push(entries.length);
      return store.insertMany(entries);
    };
  }

  it('When 50 writes arrive in the same turn, then they become one multi-row insert and all are stored', async () => {
    const batches: number[] = [];
    const write = coalescedWrites(recordingInsert(batches), { maxBatch: 500, maxInFlight: 1 });
    const entries = Array.from({ length: 50 }, () => aLogEntry());

    const results = await Promise.all(entries.map((e) => write(e)));

    expect(results).toEqual(entries.map(() => 'written'));
    expect(batches).toEqual([50]);
    expect(await store.get(entries[49]!.event_id)).toEqual(entries[49]);
  });

  it('When more writes than maxBatch arrive, then batches are capped at maxBatch', async () => {
    const batches: number[] = [];
    const write = coalescedWrites(recordingInsert(batches), { maxBatch: 5, maxInFlight: 2 });

    await Promise.all(Array.from({ length: 12 }, () => write(aLogEntry())));

    expect([...batches].sort()).toEqual([2, 5, 5]);
  });

  it('When one event_id is written twice in a batch or again later, then only the first write reports stored', async () => {
    const write = coalescedWrites(recordingInsert([]), { maxBatch: 500, maxInFlight: 1 });
    const entry = aLogEntry();

    const sameTurn = await Promise.all([write(entry), write({ ...entry })]);
    const later = await write({ ...entry });

    expect(sameTurn).toEqual(['written', 'duplicate']);
    expect(later).toBe('duplicate');
  });

  it('When the store refuses one entry of a batch, then only its writer is rejected and the others are stored', async () => {
    const batches: number[] = [];
    const write = coalescedWrites(recordingInsert(batches), { maxBatch: 500, maxInFlight: 1 });
    const good = Array.from({ length: 49 }, () => aLogEntry());
    // Straight to the store, past the contract schema that refuses it at every edge.
    const bad = aLogEntry({ data: 'nul \u0000 inside' });

    const results = await Promise.allSettled(
      [...good.slice(0, 20), bad, ...good.slice(20)].map((e) => write(e)),
    );

    expect(batches).toEqual([50]);
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected).toEqual([{ status: 'rejected', reason: expect.any(EntryRefusedError) }]);
    expect((rejected[0] as PromiseRejectedResult).reason).toMatchObject({
      status: 400,
      eventId: bad.event_id,
    });
    expect(results.filter((r) => r.status === 'fulfilled' && r.value === 'written')).toHaveLength(
      49,
    );
    for (const entry of good) expect(await store.get(entry.event_id)).toEqual(entry);
    expect(await store.get(bad.event_id)).toBeUndefined();
  });

  it('When the insert fails, then every write of that batch rejects with its error', async () => {
    const failure = new Error('store down');
    const write = coalescedWrites(() => Promise.reject(failure), {
      maxBatch: 500,
      maxInFlight: 1,
    });

    const results = await Promise.allSettled([write(aLogEntry()), write(aLogEntry())]);

    expect(results).toEqual([
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason: failure },
    ]);
  });

  it('When maxPending writes already wait behind a stalled insert, then the next write is answered 503 overloaded at once and the waiting ones are stored', async () => {
    let release: () => void = () => undefined;
    const stalled = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const write = coalescedWrites(
      async (entries) => {
        calls += 1;
        if (calls === 1) await stalled;
        return store.insertMany(entries);
      },
      { maxBatch: 500, maxInFlight: 1, maxPending: 3 },
    );
    const first = write(aLogEntry());
    await new Promise((resolve) => setImmediate(resolve));
    const waiting = Array.from({ length: 3 }, () => write(aLogEntry()));

    const over = await write(aLogEntry()).catch((err: unknown) => err);
    release();

    expect(over).toBeInstanceOf(WritesOverloadedError);
    expect(over).toMatchObject({ status: 503 });
    expect(await Promise.all([first, ...waiting])).toEqual(Array(4).fill('written'));
  });
});
