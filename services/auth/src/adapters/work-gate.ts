import { AppError } from '@micromesh/kit';
import pLimit, { type LimitFunction } from 'p-limit';

/**
 * Lets at most `limit` tasks run at once and at most `queueLimit` wait; beyond that it refuses at
 * once with 503 + Retry-After. bcrypt runs on libuv's thread pool (4 threads by default), so an
 * unbounded login burst takes every core of the machine from the rest of the mesh; the gate keeps
 * hashing to the cores it is given and turns an overload into a quick, honest answer.
 * p-limit runs and queues the tasks; the bound on the queue (which p-limit lacks) is ours.
 */
export class WorkGate {
  private readonly limiter: LimitFunction;

  constructor(
    readonly limit: number,
    readonly queueLimit: number,
  ) {
    this.limiter = pLimit(limit);
  }

  get active(): number {
    return this.limiter.activeCount;
  }

  get queued(): number {
    return this.limiter.pendingCount;
  }

  /** Throws the 503 now if a task arriving now would be refused (lets callers skip other work). */
  assertRoom(): void {
    if (this.active >= this.limit && this.queued >= this.queueLimit) {
      throw new AppError(503, 'too many logins in progress, try again shortly', {
        headers: { 'retry-after': '1' },
      });
    }
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    this.assertRoom();
    return this.limiter(task);
  }
}
