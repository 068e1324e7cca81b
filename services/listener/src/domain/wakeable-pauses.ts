/** Timed waits that can all be ended early (a closing forwarder must not sit out its backoffs). */
export class WakeablePauses {
  private readonly wakers = new Set<() => void>();

  /** Resolves after `ms`, or as soon as `wakeAll()` is called. */
  pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  wakeAll(): void {
    for (const wake of this.wakers) wake();
  }
}
