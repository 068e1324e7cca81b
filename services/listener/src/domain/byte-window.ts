export interface ByteWindowOptions {
  /** Bytes of message bodies held at most (taken, not yet settled). */
  maxBytes: number;
  /** The configured count window: the prefetch never exceeds it. */
  maxPrefetch: number;
  /**
   * The largest body the producers may send (the largest legal event). The prefetch never lets
   * more than `maxBytes` of such bodies be handed over at once, whatever the bodies seen so far:
   * RabbitMQ sends a whole prefetch window before any of it can be looked at.
   */
  largestBody: number;
}

/**
 * The in-memory window of one channel, bounded in bytes as well as in messages. RabbitMQ bounds
 * deliveries only by count (its prefetch), and a count that suits small events (1,500) times the
 * largest events the contract allows (~100 KB, held as body and parsed event) does not fit a small
 * pod. So the prefetch is at most `maxBytes / largestBody` (RabbitMQ pushes the whole window at
 * once: what it sends must fit), and every delivery is weighed as well: one that would take the
 * held bytes over `maxBytes` (a body larger than the contract's, from some other publisher) is
 * given back (the caller requeues it and stops consuming); consuming resumes once half of the bytes
 * are settled, with a prefetch sized for the largest bodies seen lately, and grows back to the
 * full window once the bodies are small again.
 */
export class ByteWindow {
  private held = 0;
  /** Largest body the current consumer was handed, and the unit its predecessor was sized by. */
  private largest = 0;
  private largestBefore = 0;
  /** Deliveries taken by the current consumer. */
  private taken = 0;
  /** The prefetch the current consumer was given. */
  private current: number;

  constructor(private readonly options: ByteWindowOptions) {
    this.current = this.fitting(options.maxBytes, 0);
  }

  /** The prefetch the window starts with (and grows back to): what fits for the largest bodies. */
  get fullPrefetch(): number {
    return this.fitting(this.options.maxBytes, 0);
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.held;
  }

  /**
   * A delivery of `size` bytes: true when it is taken (and held until `settle`), false when it
   * would overfill the window and must be given back. One delivery is always taken into an empty
   * window, however large: the pipeline never stalls on a body larger than the bound.
   */
  take(size: number): boolean {
    this.largest = Math.max(this.largest, size);
    if (this.held > 0 && this.held + size > this.options.maxBytes) return false;
    this.held += size;
    this.taken++;
    return true;
  }

  /** `size` bytes taken earlier are settled (stored and acked, or dead-lettered). */
  settle(size: number): void {
    this.held = Math.max(0, this.held - size);
  }

  /** Whether a stopped consumer may start again: half the window is free. */
  get canResume(): boolean {
    return this.held <= this.options.maxBytes / 2;
  }

  /**
   * Whether the running consumer's prefetch is well below what its own deliveries allow (after a
   * run of large events, small ones again): worth a new consumer with `nextPrefetch()`.
   */
  get wantsMore(): boolean {
    if (this.current >= this.options.maxPrefetch || this.taken < this.current) return false;
    return this.fitting(this.options.maxBytes, this.largest) >= 2 * this.current;
  }

  /** The prefetch for a new consumer (which starts its own record of body sizes). */
  nextPrefetch(): number {
    // The sizes the current consumer saw; if it saw none yet, those its predecessor saw.
    const unit = this.taken > 0 ? this.largest : Math.max(this.largest, this.largestBefore);
    const prefetch = this.fitting(this.options.maxBytes - this.held, unit);
    this.largestBefore = unit;
    this.largest = 0;
    this.taken = 0;
    this.current = prefetch;
    return prefetch;
  }

  /** How many bodies of `unit` bytes fit in `bytes`, between 1 and the count window. */
  private fitting(bytes: number, unit: number): number {
    const size = Math.max(unit, this.options.largestBody, 1);
    return Math.min(this.options.maxPrefetch, Math.max(1, Math.floor(bytes / size)));
  }
}
