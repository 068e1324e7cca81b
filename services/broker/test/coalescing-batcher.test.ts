import { AppError } from '@micromesh/kit';
import { CoalescingBatcher } from '../src/adapters/coalescing-batcher';

/** A recording downstream: every batch it receives, and an optional rule for refusing one. */
function recordingSend(refuse?: (items: string[]) => Error | undefined) {
  const batches: string[][] = [];
  const send = async (items: string[]) => {
    batches.push(items);
    const err = refuse?.(items);
    if (err) throw err;
    return items.map((item) => `stored:${item}`);
  };
  return { batches, send };
}

describe('CoalescingBatcher (the log action’s WriteLogs batching)', () => {
  it('When items arrive in the same turn, then they go out as one batch and each caller gets its own result', async () => {
    const downstream = recordingSend();
    const batcher = new CoalescingBatcher({ send: downstream.send, maxBatch: 100 });

    const results = await Promise.all(['a', 'b', 'c'].map((item) => batcher.submit(item)));

    expect(downstream.batches).toEqual([['a', 'b', 'c']]);
    expect(results).toEqual(['stored:a', 'stored:b', 'stored:c']);
  });

  it('When more items arrive than a batch holds, then full batches are sent in order', async () => {
    const downstream = recordingSend();
    const batcher = new CoalescingBatcher({ send: downstream.send, maxBatch: 2 });

    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((item) => batcher.submit(item)));

    expect(downstream.batches).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('When a batch is refused because of one item, then only that item’s caller gets the error', async () => {
    const downstream = recordingSend((items) =>
      items.includes('bad') ? AppError.badRequest('invalid entry') : undefined,
    );
    const batcher = new CoalescingBatcher({
      send: downstream.send,
      maxBatch: 10,
      splitWhen: (err) => err instanceof AppError && err.status === 400,
    });

    const outcomes = await Promise.allSettled(['a', 'bad', 'c'].map((i) => batcher.submit(i)));

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(downstream.batches).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
  });

  it('When the downstream is down, then every caller in the batch gets the failure', async () => {
    const downstream = recordingSend(() => new Error('UNAVAILABLE'));
    const batcher = new CoalescingBatcher({ send: downstream.send, maxBatch: 10 });

    const outcomes = await Promise.allSettled(['a', 'b'].map((i) => batcher.submit(i)));

    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(downstream.batches).toHaveLength(1);
  });

  it('When the allowed batches are all in flight, then later items wait and leave together when one returns', async () => {
    const batches: string[][] = [];
    let release: () => void = () => undefined;
    const send = async (items: string[]) => {
      batches.push(items);
      if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return items;
    };
    const batcher = new CoalescingBatcher({ send, maxBatch: 100, maxConcurrent: 1 });

    const first = batcher.submit('a');
    await new Promise((resolve) => setImmediate(resolve));
    const later = ['b', 'c', 'd'].map((item) => batcher.submit(item));
    await new Promise((resolve) => setImmediate(resolve));
    const sentWhileBusy = batches.length;
    release();
    await Promise.all([first, ...later]);

    expect(sentWhileBusy).toBe(1);
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
  });
});
