interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

export interface BatcherOptions<T, R> {
  /** Sends one batch; resolves with one result per item, in order. */
  send: (items: T[]) => Promise<R[]>;
  /** Largest batch; a full batch is sent at once instead of waiting for the next turn. */
  maxBatch: number;
  /**
   * When a whole batch fails with an error that could belong to a single item (e.g. one invalid
   * entry), each item is resent alone so every caller gets its own outcome.
   */
  splitWhen?: (err: unknown) => boolean;
}

/**
 * Coalesces concurrent calls into batches: items submitted in the same event-loop turn (all the
 * requests parsed in one I/O poll) go out together on the next turn via setImmediate, so one
 * downstream call carries many requests, while a lone request is still sent without added delay.
 */
export class CoalescingBatcher<T, R> {
  private pending: Waiting<T, R>[] = [];
  private scheduled = false;

  constructor(private readonly options: BatcherOptions<T, R>) {}

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
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0, this.options.maxBatch);
    void this.sendBatch(batch);
    if (this.pending.length > 0) this.flush();
  }

  private async sendBatch(batch: Waiting<T, R>[]): Promise<void> {
    try {
      const results = await this.options.send(batch.map((w) => w.item));
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
