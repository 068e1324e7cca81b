interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
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
    this.maxConcurrent = options.maxConcurrent ?? Number.POSITIVE_INFINITY;
  }

  /** Resolves with the item's own result; rejects with its batch's failure. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
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
