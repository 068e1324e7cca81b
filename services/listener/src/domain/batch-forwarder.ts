import type { FailureKind, ForwardReport } from './ports';
import { WakeablePauses } from './wakeable-pauses';

/** Why an item was given up. */
export type RejectReason =
  /** The store refused it (permanent). */
  | 'refused'
  /** It failed with an unknown error on every one of its `maxItemAttempts` attempts. */
  | 'retries_exhausted';

export interface BatchForwarderOptions<T> {
  /** Items per forward call. */
  maxBatchSize: number;
  /** Upper bound of the summed `weigh(item)` of a batch (e.g. bytes under a gRPC message limit). */
  maxBatchWeight: number;
  weigh(item: T): number;
  /** Longest the first item of a partial batch waits for company. */
  flushMs: number;
  /** Batches being forwarded at the same time (their results are still reported in order). */
  maxInFlight: number;
  /**
   * Stores a batch; resolves only once the store has it (every item but those it reports
   * refused).
   */
  forward(items: readonly T[]): Promise<ForwardReport | void>;
  classify(error: unknown): FailureKind;
  /** Delay before retry number `attempt` (0-based) of the same batch. */
  retryDelayMs(attempt: number): number;
  /** Attempts an item gets when it fails alone with an 'unknown' error. */
  maxItemAttempts: number;
  /**
   * Records one more failed attempt of an item that failed alone with an 'unknown' error and
   * returns its count so far (the caller may keep it across forwarders, e.g. by message id).
   */
  countFailure(item: T): number;
  /**
   * Called once per stored batch (or what is left of it after refusals), strictly in the order the
   * items were added; the order chain waits for a returned promise.
   */
  onStored(items: readonly T[], forwardMs: number): void | Promise<void>;
  /**
   * Called, in order, for an item given up (it can never be stored, or ran out of attempts); the
   * order chain waits for a returned promise, so an item is settled before any later one.
   */
  onRejected(item: T, error: unknown, reason: RejectReason): void | Promise<void>;
  /** A failed attempt is retried after `delayMs` ('unknown': a lone item, not a blocked batch). */
  onRetry?(
    error: unknown,
    attempt: number,
    delayMs: number,
    batchSize: number,
    kind: FailureKind,
  ): void;
  /** No batch is failing any more (the last one needed `attempts` attempts). */
  onRecovered?(attempts: number): void;
}

type Outcome =
  | { stored: true; forwardMs: number; refused?: ReadonlyMap<number, unknown> }
  | { stored: false; error: unknown; reason: RejectReason };

/**
 * Collects items into batches and forwards up to `maxInFlight` of them at once, while reporting
 * every outcome strictly in the order the items arrived — so the caller can settle everything up
 * to a batch's last item when `onStored` fires. A batch that fails transiently is held and retried
 * with backoff; the caller's bounded input (e.g. a prefetch window) stops the inflow meanwhile.
 * A batch refused for its data, or failing with an unknown error, is halved until the culprits
 * stand alone: a refused item is given up at once, an unknown failure after `maxItemAttempts`.
 * While batches are in flight the next one fills, and is sent as soon as a slot frees up.
 *
 * `close()` abandons everything: pending items, batches waiting for a retry, the results of
 * forwards in flight (the caller's source redelivers whatever was not settled).
 */
export class BatchForwarder<T> {
  private pending: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  /** Resolves when the most recently started batch has been reported (the order chain). */
  private lastReported: Promise<void> = Promise.resolve();
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private failing = 0;
  private failingSince: number | undefined;
  /** Backoff waits, all cut short by close(). */
  private readonly pauses = new WakeablePauses();

  constructor(private readonly options: BatchForwarderOptions<T>) {}

  add(item: T): void {
    if (this.closed) return;
    this.pending.push(item);
    if (this.pending.length >= this.options.maxBatchSize) this.pump();
    else if (this.inFlight < this.options.maxInFlight) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, this.options.flushMs);
    }
    // Otherwise every slot is busy: the next completion sends what has gathered.
  }

  /** True while some batch is held because the store failed transiently. */
  get blocked(): boolean {
    return this.failingSince !== undefined;
  }

  /** Milliseconds batches have been failing (0 when not blocked). */
  get blockedForMs(): number {
    return this.failingSince === undefined ? 0 : Date.now() - this.failingSince;
  }

  /** Sends what is pending now and resolves when all of it is reported (or the forwarder closed). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pump(true);
    if (this.closed || (this.inFlight === 0 && this.pending.length === 0)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Abandons pending and in-flight work; returns how many pending items were dropped. */
  close(): number {
    if (this.closed) return 0;
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pauses.wakeAll();
    const dropped = this.pending.length;
    this.pending = [];
    this.notifyIdle();
    return dropped;
  }

  /** Starts batches while there are items and free slots (partial ones too: they have waited). */
  private pump(force = false): void {
    const { maxInFlight, maxBatchSize } = this.options;
    while (!this.closed && this.pending.length > 0 && this.inFlight < maxInFlight) {
      // A partial batch goes only when due (flush timer, flush(), or a slot freed by a completion).
      if (!force && this.pending.length < maxBatchSize && this.timer) break;
      clearTimeout(this.timer);
      this.timer = undefined;
      this.start(this.takeBatch());
    }
  }

  private start(batch: T[]): void {
    this.inFlight++;
    const previous = this.lastReported;
    const reported = this.forwardWithRetry(batch)
      .then(async (outcome) => {
        await previous;
        if (this.closed) return;
        await this.report(batch, outcome);
      })
      // The callbacks handle their own errors; a throw must not break the order chain.
      .catch(() => undefined);
    this.lastReported = reported;
    void reported.then(() => {
      this.inFlight--;
      if (this.closed) return;
      this.pump(true);
      if (this.inFlight === 0 && this.pending.length === 0) this.notifyIdle();
    });
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

  /**
   * Forwards until stored, refused, or closed; transient failures wait and retry (and count as
   * "blocked"); an unknown failure of a lone item waits and retries up to its attempt budget.
   */
  private async forwardWithRetry(batch: readonly T[]): Promise<Outcome> {
    let failed = false;
    let attempts = 0;
    try {
      for (let attempt = 0; ; attempt++) {
        attempts = attempt + 1;
        const started = performance.now();
        try {
          const report = await this.options.forward(batch);
          return {
            stored: true,
            forwardMs: performance.now() - started,
            refused: report?.refused,
          };
        } catch (error) {
          if (this.closed) return { stored: false, error, reason: 'refused' };
          const kind = this.options.classify(error);
          if (kind === 'reject') return { stored: false, error, reason: 'refused' };
          if (kind === 'unknown') {
            const [only] = batch;
            // A batch is split first: the error may follow one item only.
            if (batch.length !== 1 || only === undefined) {
              return { stored: false, error, reason: 'retries_exhausted' };
            }
            const count = this.options.countFailure(only);
            if (count >= this.options.maxItemAttempts) {
              return { stored: false, error, reason: 'retries_exhausted' };
            }
            this.options.onRetry?.(error, count, this.options.retryDelayMs(count - 1), 1, kind);
            await this.pauses.pause(this.options.retryDelayMs(count - 1));
            if (this.closed) return { stored: false, error, reason: 'retries_exhausted' };
            continue;
          }
          if (!failed) {
            failed = true;
            this.failing++;
            this.failingSince ??= Date.now();
          }
          const delayMs = this.options.retryDelayMs(attempt);
          this.options.onRetry?.(error, attempt + 1, delayMs, batch.length, kind);
          await this.pauses.pause(delayMs);
          if (this.closed) return { stored: false, error, reason: 'refused' };
        }
      }
    } finally {
      if (failed && --this.failing === 0) {
        this.failingSince = undefined;
        if (!this.closed) this.options.onRecovered?.(attempts);
      }
    }
  }

  /** Reports one forward's outcome, in order: given-up items first, then the stored rest. */
  private async report(batch: readonly T[], outcome: Outcome): Promise<void> {
    if (this.closed) return;
    if (!outcome.stored) {
      await this.isolate(batch, outcome);
      return;
    }
    const { refused } = outcome;
    if (!refused || refused.size === 0) {
      await this.options.onStored(batch, outcome.forwardMs);
      return;
    }
    const stored: T[] = [];
    for (const [index, item] of batch.entries()) {
      if (!refused.has(index)) stored.push(item);
      else await this.options.onRejected(item, refused.get(index), 'refused');
      if (this.closed) return;
    }
    if (stored.length > 0) await this.options.onStored(stored, outcome.forwardMs);
  }

  /**
   * Halves a failed batch until the failing items stand alone; the rest is stored. Runs in the
   * order chain (the previous batch is reported), so its reports stay in order too.
   */
  private async isolate(
    batch: readonly T[],
    outcome: { error: unknown; reason: RejectReason },
  ): Promise<void> {
    if (this.closed) return;
    const [only] = batch;
    if (batch.length === 1 && only !== undefined) {
      await this.options.onRejected(only, outcome.error, outcome.reason);
      return;
    }
    const middle = Math.ceil(batch.length / 2);
    for (const half of [batch.slice(0, middle), batch.slice(middle)]) {
      const result = await this.forwardWithRetry(half);
      if (this.closed) return;
      await this.report(half, result);
    }
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
