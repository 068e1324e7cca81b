/** What to do with a batch the downstream store refused. */
export type FailureKind =
  /** Transient (store down, deadline): hold the batch and try it again after a backoff. */
  | 'retry'
  /** The data itself was refused: split the batch to find the bad item(s), give those up. */
  | 'reject';

export interface BatchForwarderOptions<T> {
  /** Items per forward call. */
  maxBatchSize: number;
  /** Upper bound of the summed `weigh(item)` of a batch (e.g. bytes under a gRPC message limit). */
  maxBatchWeight: number;
  weigh(item: T): number;
  /** Longest the first item of a partial batch waits for company. */
  flushMs: number;
  /** Stores a batch; resolves only once the store has it. */
  forward(items: readonly T[]): Promise<void>;
  classify(error: unknown): FailureKind;
  /** Delay before retry number `attempt` (0-based) of the same batch. */
  retryDelayMs(attempt: number): number;
  /** Called once per stored batch, in the order the items were added. */
  onStored(items: readonly T[], forwardMs: number): void;
  /** Called for an item the store refused on its own (it can never be stored). */
  onRejected(item: T, error: unknown): void;
  onRetry?(error: unknown, attempt: number, delayMs: number, batchSize: number): void;
  onRecovered?(attempts: number): void;
}

/**
 * Collects items into batches and forwards them one batch at a time, strictly in order, so the
 * caller can settle everything up to a batch's last item when `onStored` fires. A batch that
 * fails transiently is held and retried with backoff (nothing else is sent meanwhile; the caller's
 * bounded input — e.g. a prefetch window — stops the inflow). While one batch is in flight the
 * next one fills, and is sent as soon as the first is stored.
 *
 * `close()` abandons everything: pending items, a batch waiting for its retry, the result of a
 * forward in flight (the caller's source redelivers whatever was not settled).
 */
export class BatchForwarder<T> {
  private pending: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private closed = false;
  private failingSince: number | undefined;
  private wakeRetry: (() => void) | undefined;

  constructor(private readonly options: BatchForwarderOptions<T>) {}

  add(item: T): void {
    if (this.closed) return;
    this.pending.push(item);
    if (this.draining) return; // the running drain picks it up
    if (this.pending.length >= this.options.maxBatchSize) void this.drain();
    else this.timer ??= setTimeout(() => void this.drain(), this.options.flushMs);
  }

  /** True while a batch is held because the store refused it transiently. */
  get blocked(): boolean {
    return this.failingSince !== undefined;
  }

  /** Milliseconds the current batch has been failing (0 when not blocked). */
  get blockedForMs(): number {
    return this.failingSince === undefined ? 0 : Date.now() - this.failingSince;
  }

  /** Sends what is pending now and resolves when all of it is stored (or the forwarder closed). */
  async flush(): Promise<void> {
    while (!this.closed && (this.pending.length > 0 || this.draining)) {
      await (this.draining ?? this.drain());
    }
  }

  /** Abandons pending and in-flight work; returns how many items were dropped unsettled. */
  close(): number {
    if (this.closed) return 0;
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.wakeRetry?.();
    const dropped = this.pending.length;
    this.pending = [];
    return dropped;
  }

  private drain(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.draining ??= this.drainLoop().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private async drainLoop(): Promise<void> {
    while (!this.closed && this.pending.length > 0) {
      await this.deliver(this.takeBatch());
    }
  }

  private takeBatch(): T[] {
    const { maxBatchSize, maxBatchWeight, weigh } = this.options;
    let count = 0;
    let weight = 0;
    for (const item of this.pending) {
      if (count >= maxBatchSize) break;
      const next = weigh(item);
      if (count > 0 && weight + next > maxBatchWeight) break;
      weight += next;
      count++;
    }
    return this.pending.splice(0, count);
  }

  private async deliver(batch: readonly T[]): Promise<void> {
    for (let attempt = 0; !this.closed; attempt++) {
      const started = performance.now();
      try {
        await this.options.forward(batch);
      } catch (error) {
        if (this.closed) return;
        if (this.options.classify(error) === 'reject') {
          await this.isolateRejected(batch, error);
          return;
        }
        this.failingSince ??= Date.now();
        const delayMs = this.options.retryDelayMs(attempt);
        this.options.onRetry?.(error, attempt + 1, delayMs, batch.length);
        await this.pause(delayMs);
        continue;
      }
      if (this.closed) return;
      if (this.failingSince !== undefined) {
        this.failingSince = undefined;
        this.options.onRecovered?.(attempt + 1);
      }
      this.options.onStored(batch, performance.now() - started);
      return;
    }
  }

  /** Halves a refused batch until the refused items stand alone; the rest is stored in order. */
  private async isolateRejected(batch: readonly T[], error: unknown): Promise<void> {
    const [only] = batch;
    if (batch.length === 1 && only !== undefined) {
      this.options.onRejected(only, error);
      return;
    }
    const middle = Math.ceil(batch.length / 2);
    await this.deliver(batch.slice(0, middle));
    await this.deliver(batch.slice(middle));
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeRetry = done;
    }).finally(() => {
      this.wakeRetry = undefined;
    });
  }
}
