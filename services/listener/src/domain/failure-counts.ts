/** Ids tracked at most; beyond it the oldest are forgotten (they start from zero again). */
const MAX_TRACKED = 10_000;

/**
 * Failed attempts per message id, kept for the life of the process (a reconnect does not reset
 * them). Only messages that failed alone with an unexpected error are tracked, and each is
 * forgotten once stored or dead-lettered, so the map stays small.
 */
export class FailureCounts {
  private readonly counts = new Map<string, number>();

  /** One more failure of `id`; returns its count so far. */
  add(id: string): number {
    const count = (this.counts.get(id) ?? 0) + 1;
    this.counts.delete(id);
    this.counts.set(id, count);
    if (this.counts.size > MAX_TRACKED) {
      const oldest = this.counts.keys().next();
      if (!oldest.done) this.counts.delete(oldest.value);
    }
    return count;
  }

  get(id: string): number {
    return this.counts.get(id) ?? 0;
  }

  forget(id: string): void {
    this.counts.delete(id);
  }
}
