import { AppError, BatcherOverloadedError, CoalescingBatcher } from '@micromesh/kit';

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

/** Lets every callback of this turn (setImmediate included) run. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('CoalescingBatcher (the broker’s WriteLogs calls, the logger’s coalesced inserts)', () => {
  it('When one item reaches an idle batcher, then it goes out alone on the next turn without waiting for company', async () => {
    const downstream = recordingSend();
    const batcher = new CoalescingBatcher({
      send: downstream.send,
      maxBatch: 100,
      maxConcurrent: 1,
    });

    const result = batcher.submit('a');
    await nextTurn();

    expect(downstream.batches).toEqual([['a']]);
    expect(await result).toBe('stored:a');
  });

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

  it('When more items arrive than the batches in flight can hold, then no batch exceeds maxBatch and the rest wait for a free slot', async () => {
    const downstream = recordingSend();
    const batcher = new CoalescingBatcher({ send: downstream.send, maxBatch: 5, maxConcurrent: 2 });
    const items = Array.from({ length: 12 }, (_, i) => `i${i}`);

    const results = await Promise.all(items.map((item) => batcher.submit(item)));

    expect(downstream.batches.map((b) => b.length)).toEqual([5, 5, 2]);
    expect(results).toEqual(items.map((item) => `stored:${item}`));
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

  it('When a batch fails and no split rule claims the error, then every caller gets that same error once', async () => {
    const failure = AppError.badRequest('invalid entry');
    const downstream = recordingSend(() => failure);
    const batcher = new CoalescingBatcher({ send: downstream.send, maxBatch: 10 });

    const outcomes = await Promise.allSettled(['a', 'b'].map((i) => batcher.submit(i)));

    expect(outcomes).toEqual([
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason: failure },
    ]);
    expect(downstream.batches).toEqual([['a', 'b']]);
  });

  it('When send answers a different number of results than items, then every caller gets an error rather than another’s result', async () => {
    const batcher = new CoalescingBatcher({
      send: async (items: string[]) => items.slice(1),
      maxBatch: 10,
    });

    const outcomes = await Promise.allSettled(['a', 'b'].map((i) => batcher.submit(i)));

    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
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
    await nextTurn();
    const later = ['b', 'c', 'd'].map((item) => batcher.submit(item));
    await nextTurn();
    const sentWhileBusy = batches.length;
    release();
    await Promise.all([first, ...later]);

    expect(sentWhileBusy).toBe(1);
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
  });

  /** A downstream whose first batch hangs until released. */
  function stalledSend() {
    const batches: string[][] = [];
    let release: () => void = () => undefined;
    const send = async (items: string[]) => {
      batches.push(items);
      if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return items;
    };
    return { batches, send, release: () => release() };
  }

  it('When maxPending items already wait behind a stalled batch, then the next submit rejects overloaded at once and the waiting ones still go', async () => {
    const downstream = stalledSend();
    const batcher = new CoalescingBatcher({
      send: downstream.send,
      maxBatch: 100,
      maxConcurrent: 1,
      maxPending: 2,
    });
    const first = batcher.submit('a');
    await nextTurn();
    const waiting = [batcher.submit('b'), batcher.submit('c')];

    const over = await batcher.submit('d').catch((err: unknown) => err);
    downstream.release();

    expect(over).toBeInstanceOf(BatcherOverloadedError);
    expect(over).toMatchObject({ reason: 'overloaded', maxPending: 2 });
    expect(await Promise.all([first, ...waiting])).toEqual(['a', 'b', 'c']);
    expect(downstream.batches).toEqual([['a'], ['b', 'c']]);
  });

  it("When an item's signal aborts while it waits for a round, then it is dropped (never sent) and its caller gets the abort reason", async () => {
    const downstream = stalledSend();
    const batcher = new CoalescingBatcher({
      send: downstream.send,
      maxBatch: 100,
      maxConcurrent: 1,
      maxPending: 2,
    });
    const first = batcher.submit('a');
    await nextTurn();
    const gone = new AbortController();
    const abandoned = batcher.submit('b', { signal: gone.signal });
    const kept = batcher.submit('c', { signal: new AbortController().signal });

    gone.abort(new Error('the request closed'));
    const reason = await abandoned.catch((err: unknown) => err);
    const roomAfterAbort = batcher.submit('d');
    downstream.release();

    expect(reason).toEqual(new Error('the request closed'));
    expect(await Promise.all([first, kept, roomAfterAbort])).toEqual(['a', 'c', 'd']);
    expect(downstream.batches).toEqual([['a'], ['c', 'd']]);
  });

  it('When the signal aborts after its round started, or was aborted before submit, then the started item completes and the aborted one is never queued', async () => {
    const downstream = recordingSend();
    const batcher = new CoalescingBatcher({ send: downstream.send, maxBatch: 100 });
    const late = new AbortController();

    const started = batcher.submit('a', { signal: late.signal });
    await nextTurn();
    late.abort();
    const already = await batcher
      .submit('b', { signal: AbortSignal.abort('gone') })
      .catch((e: unknown) => e);

    expect(await started).toBe('stored:a');
    expect(already).toBe('gone');
    expect(downstream.batches).toEqual([['a']]);
  });
});
