import { AppError } from '@micromesh/kit';

/**
 * Lets at most `limit` tasks run at once and at most `queueLimit` wait; beyond that it refuses at
 * once with 503 + Retry-After. bcrypt runs on libuv's thread pool (4 threads by default), so an
 * unbounded login burst takes every core of the machine from the rest of the mesh; the gate keeps
 * hashing to the cores it is given and turns an overload into a quick, honest answer.
 */
export class WorkGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly limit: number,
    readonly queueLimit: number,
  ) {}

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Throws the 503 now if a task arriving now would be refused (lets callers skip other work). */
  assertRoom(): void {
    if (this.running >= this.limit && this.waiting.length >= this.queueLimit) {
      throw new AppError(503, 'too many logins in progress, try again shortly', {
        headers: { 'retry-after': '1' },
      });
    }
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running < this.limit) {
      this.running++;
    } else {
      this.assertRoom();
      // The slot is handed over by the task that finishes (running stays the same).
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
