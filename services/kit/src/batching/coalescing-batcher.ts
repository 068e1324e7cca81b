interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
  /** Detaches the item's abort listener once it leaves the queue. */
  detach?: () => void;
}

/**
 * The batcher already holds `maxPending` items waiting for a round: the store behind it is not
 * keeping up (or not answering). Callers answer 503 at once instead of queueing without bound.
 */
export class BatcherOverloadedError extends Error {
  override readonly name = 'BatcherOverloadedError';
  readonly reason = 'overloaded' as const;
  constructor(readonly maxPending: number) {
    super(`${maxPending} items are already waiting for the store`);
  }
}

export interface SubmitOptions {
  /**
   * The caller's interest in the result (e.g. aborted when its request closes): an item whose
   * signal aborts while it still waits for a round is dropped — never sent later, when nobody is
   * there for the answer — and its promise rejects with the signal's reason. Once its round has
   * started, the item goes through.
   */
  signal?: AbortSignal;
}

export interface BatcherOptions<T, R> {
  /** Sends one batch; resolves with one result per item, in order. */
  send: (items: T[]) => Promise<R[]>;
  /** Largest batch handed to one `send`. */
  maxBatch: number;
  /**
   * Batches allowed in flight at once (default: no limit). While that many are out, new items
   * wait and leave together when one returns: at low load a lone item goes out at once, under
   * load batches grow instead of calls multiplying (each call has a fixed cost on both sides).
   */
  maxConcurrent?: number;
  /**
   * When a whole batch fails with an error that could belong to a single item (e.g. one invalid
   * entry), each item is resent alone so every caller gets its own outcome.
   */
  splitWhen?: (err: unknown) => boolean;
  /**
   * Items allowed to wait for a round (default: no limit). Beyond it `submit` rejects with
   * BatcherOverloadedError at once: when the store behind the batcher stalls, memory and the
   * work owed to callers who have long given up stay bounded.
   */
  maxPending?: number;
}

/**
 * Coalesces concurrent calls into batches: items submitted in the same event-loop turn (all the
 * requests parsed in one I/O poll) go out together on the next turn via setImmediate, and items
 * arriving while `maxConcurrent` batches are in flight wait for one of them to return. Nothing
 * waits for company on a timer, so an idle batcher adds no latency to a lone item.
 */
export class CoalescingBatcher<T, R> {
  private pending: Waiting<T, R>[] = [];
  private scheduled = false;
  private inFlight = 0;
  private readonly maxConcurrent: number;

  constructor(private readonly options: BatcherOptions<T, R>) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) {
      throw new RangeError(`maxBatch must be a positive integer, not ${options.maxBatch}`);
    }
    if (
      options.maxPending !== undefined &&
      (!Number.isInteger(options.maxPending) || options.maxPending < 1)
    ) {
      throw new RangeError(`maxPending must be a positive integer, not ${options.maxPending}`);
    }
    this.maxConcurrent = options.maxConcurrent ?? Number.POSITIVE_INFINITY;
  }

  /** Items waiting for a round (not yet handed to `send`). */
  get pendingCount(): number {
    return this.pending.length;
  }

  /**
   * Resolves with the item's own result; rejects with its batch's failure, BatcherOverloadedError
   * when `maxPending` items already wait, or the signal's reason when it aborts before the round.
   */
  submit(item: T, options: SubmitOptions = {}): Promise<R> {
    const { signal } = options;
    return new Promise<R>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const { maxPending } = this.options;
      if (maxPending !== undefined && this.pending.length >= maxPending) {
        reject(new BatcherOverloadedError(maxPending));
        return;
      }
      const waiting: Waiting<T, R> = { item, resolve, reject };
      if (signal) {
        const onAbort = () => {
          const index = this.pending.indexOf(waiting);
          if (index === -1) return;
          this.pending.splice(index, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiting.detach = () => signal.removeEventListener('abort', onAbort);
      }
      this.pending.push(waiting);
      if (this.pending.length >= this.options.maxBatch) {
        this.flush();
      } else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    while (this.pending.length > 0 && this.inFlight < this.maxConcurrent) {
      const batch = this.pending.splice(0, this.options.maxBatch);
      for (const waiting of batch) waiting.detach?.();
      this.inFlight++;
      void this.sendBatch(batch).finally(() => {
        this.inFlight--;
        this.flush();
      });
    }
  }

  private async sendBatch(batch: Waiting<T, R>[]): Promise<void> {
    try {
      const results = await this.options.send(batch.map((w) => w.item));
      if (results.length !== batch.length) {
        throw new Error(`a batch of ${batch.length} was answered with ${results.length} results`);
      }
      batch.forEach((w, i) => w.resolve(results[i] as R));
    } catch (err) {
      if (batch.length > 1 && this.options.splitWhen?.(err)) {
        await Promise.all(batch.map((w) => this.sendBatch([w])));
        return;
      }
      for (const w of batch) w.reject(err);
    }
  }
}
