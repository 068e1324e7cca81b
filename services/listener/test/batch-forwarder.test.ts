import { waitFor } from '@micromesh/kit/testing';
import { BatchForwarder, type BatchForwarderOptions } from '../src/domain/batch-forwarder';

/** A downstream store the tests control: it records batches, and can be down or refuse items. */
function aStore() {
  const batches: number[][] = [];
  const store = {
    batches,
    calls: 0,
    down: false,
    refused: new Set<number>(),
    /** Items that fail with an unexpected error, whatever batch they are in. */
    broken: new Set<number>(),
    async forward(items: readonly number[]): Promise<void> {
      store.calls += 1;
      await Promise.resolve();
      if (store.down) throw new Error('store down');
      if (items.some((item) => store.refused.has(item))) throw new RefusedError();
      if (items.some((item) => store.broken.has(item))) throw new BrokenError();
      batches.push([...items]);
    },
  };
  return store;
}

class RefusedError extends Error {}
class BrokenError extends Error {}

function aForwarder(
  store: ReturnType<typeof aStore>,
  overrides: Partial<BatchForwarderOptions<number>> = {},
) {
  const stored: number[][] = [];
  const rejected: number[] = [];
  const reasons: string[] = [];
  const failures = new Map<number, number>();
  const forwarder = new BatchForwarder<number>({
    maxBatchSize: 10,
    maxBatchWeight: 1_000,
    weigh: () => 1,
    flushMs: 5,
    maxInFlight: 1,
    forward: (items) => store.forward(items),
    classify: (err) =>
      err instanceof RefusedError ? 'reject' : err instanceof BrokenError ? 'unknown' : 'retry',
    retryDelayMs: () => 20,
    maxItemAttempts: 3,
    countFailure: (item) => {
      failures.set(item, (failures.get(item) ?? 0) + 1);
      return failures.get(item) ?? 0;
    },
    onStored: (items) => {
      stored.push([...items]);
    },
    onRejected: (item, _error, reason) => {
      rejected.push(item);
      reasons.push(reason);
    },
    ...overrides,
  });
  return { forwarder, stored, rejected, reasons, failures };
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describe('BatchForwarder', () => {
  it('When more items than a batch arrive, then they are stored in full batches, in order', async () => {
    const store = aStore();
    const { forwarder, stored } = aForwarder(store);

    for (const item of range(1, 25)) forwarder.add(item);
    await waitFor(() => stored.flat().length === 25, { what: '25 items stored' });

    expect(stored.flat()).toEqual(range(1, 25));
    expect(Math.max(...stored.map((batch) => batch.length))).toBe(10);
  });

  it('When fewer items than a batch arrive, then they are sent after the flush delay', async () => {
    const store = aStore();
    const { forwarder, stored } = aForwarder(store, { flushMs: 30 });

    forwarder.add(1);
    forwarder.add(2);
    expect(store.calls).toBe(0);
    await waitFor(() => stored.length === 1, { what: 'the partial batch' });

    expect(stored).toEqual([[1, 2]]);
  });

  it('When batches would exceed the weight limit, then they are cut before it', async () => {
    const store = aStore();
    const { forwarder, stored } = aForwarder(store, { maxBatchWeight: 25, weigh: () => 10 });

    for (const item of range(1, 5)) forwarder.add(item);
    await waitFor(() => stored.flat().length === 5, { what: '5 items stored' });

    expect(stored).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('When the store is down, then the batch is held and retried with backoff, then stored once', async () => {
    const store = aStore();
    store.down = true;
    const delays: number[] = [];
    const { forwarder, stored } = aForwarder(store, {
      retryDelayMs: (attempt) => {
        delays.push(attempt);
        return 10;
      },
    });

    for (const item of range(1, 3)) forwarder.add(item);
    await waitFor(() => store.calls >= 4, { what: 'a few failed attempts' });
    expect(forwarder.blocked).toBe(true);
    expect(stored).toEqual([]);
    store.down = false;
    await waitFor(() => stored.length === 1, { what: 'the held batch stored' });

    expect(stored).toEqual([[1, 2, 3]]);
    expect(forwarder.blocked).toBe(false);
    expect(delays.slice(0, 3)).toEqual([0, 1, 2]);
  });

  it('When the store refuses one item, then only that item is rejected and the rest is stored in order', async () => {
    const store = aStore();
    store.refused.add(6);
    const { forwarder, stored, rejected } = aForwarder(store);

    for (const item of range(1, 10)) forwarder.add(item);
    await waitFor(() => stored.flat().length === 9, { what: 'the 9 good items' });

    expect(rejected).toEqual([6]);
    expect(stored.flat()).toEqual([1, 2, 3, 4, 5, 7, 8, 9, 10]);
  });

  it('When batches are in flight together and two items are refused, then only those are rejected and every report stays in order', async () => {
    const store = aStore();
    store.refused.add(6);
    store.refused.add(17);
    const reports: string[] = [];
    const { forwarder } = aForwarder(store, {
      maxInFlight: 3,
      onStored: (items) => {
        reports.push(...items.map((item) => `stored ${item}`));
      },
      onRejected: (item) => {
        reports.push(`rejected ${item}`);
      },
    });

    for (const item of range(1, 25)) forwarder.add(item);
    await waitFor(() => reports.length === 25, { what: 'all 25 items reported' });

    expect(reports).toEqual(
      range(1, 25).map((item) =>
        item === 6 || item === 17 ? `rejected ${item}` : `stored ${item}`,
      ),
    );
  });

  it('When one item fails with an unexpected error, then it alone gets the bounded attempts and is given up, the others are stored in order, and the forwarder is never blocked', async () => {
    const store = aStore();
    store.broken.add(4);
    const blockedAtRetry: boolean[] = [];
    const { forwarder, stored, rejected, reasons, failures } = aForwarder(store, {
      retryDelayMs: () => 5,
      onRetry: () => blockedAtRetry.push(forwarder.blocked),
    });

    for (const item of range(1, 10)) forwarder.add(item);
    await waitFor(() => stored.flat().length === 9 && rejected.length === 1, {
      what: 'nine stored, one given up',
    });

    expect(stored.flat()).toEqual([1, 2, 3, 5, 6, 7, 8, 9, 10]);
    expect(rejected).toEqual([4]);
    expect(reasons).toEqual(['retries_exhausted']);
    expect(failures.get(4)).toBe(3);
    expect(blockedAtRetry).toEqual([false, false]);
    expect(forwarder.blocked).toBe(false);
  });

  it('When an item that failed oddly succeeds on a later attempt, then it is stored, not given up', async () => {
    const store = aStore();
    store.broken.add(2);
    const { forwarder, stored, rejected, failures } = aForwarder(store, {
      retryDelayMs: () => 5,
      countFailure: (item) => {
        failures.set(item, (failures.get(item) ?? 0) + 1);
        store.broken.delete(item); // heals after its first lone failure
        return failures.get(item) ?? 0;
      },
    });

    for (const item of range(1, 3)) forwarder.add(item);
    await waitFor(() => stored.flat().length === 3, { what: 'all three stored' });

    expect(stored.flat()).toEqual([1, 2, 3]);
    expect(rejected).toEqual([]);
  });

  it('When the store reports single items refused, then those are given up and the rest of the batch is stored, without a split', async () => {
    const store = aStore();
    const { forwarder, stored, rejected, reasons } = aForwarder(store, {
      forward: async (items) => {
        store.calls += 1;
        return { refused: new Map([[items.indexOf(3), new RefusedError('no')]]) };
      },
    });

    for (const item of range(1, 5)) forwarder.add(item);
    await waitFor(() => stored.length === 1, { what: 'the batch reported' });

    expect(rejected).toEqual([3]);
    expect(reasons).toEqual(['refused']);
    expect(stored).toEqual([[1, 2, 4, 5]]);
    expect(store.calls).toBe(1);
  });

  it('When closed while a batch waits for its retry, then nothing more is stored or reported', async () => {
    const store = aStore();
    store.down = true;
    const { forwarder, stored } = aForwarder(store, { retryDelayMs: () => 5 });
    for (const item of range(1, 12)) forwarder.add(item);
    await waitFor(() => store.calls >= 2, { what: 'a failed attempt' });

    const dropped = forwarder.close();
    store.down = false;
    const callsAtClose = store.calls;
    forwarder.add(13);
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(dropped).toBe(2);
    expect(store.calls).toBeLessThanOrEqual(callsAtClose + 1);
    expect(stored).toEqual([]);
  });

  it('When several batches are in flight and a later one is stored first, then they are still reported in order', async () => {
    const store = aStore();
    const slowFirst = async (items: readonly number[]) => {
      if (items[0] === 1) await new Promise((resolve) => setTimeout(resolve, 80));
      await store.forward(items);
    };
    const { forwarder, stored } = aForwarder(store, { maxInFlight: 3, forward: slowFirst });

    for (const item of range(1, 30)) forwarder.add(item);
    await waitFor(() => stored.length === 3, { what: 'three batches reported' });

    expect(store.batches.map((batch) => batch[0])).toEqual([11, 21, 1]);
    expect(stored).toEqual([range(1, 10), range(11, 10), range(21, 10)]);
  });

  it('When flushed, then it resolves once everything added so far is stored', async () => {
    const store = aStore();
    const { forwarder, stored } = aForwarder(store, { flushMs: 60_000 });
    for (const item of range(1, 4)) forwarder.add(item);

    await forwarder.flush();

    expect(stored.flat()).toEqual([1, 2, 3, 4]);
  });
});
