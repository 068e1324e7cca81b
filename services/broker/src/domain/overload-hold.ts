import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '@micromesh/kit';

/** Calls kept waiting for the end of a hold at once; beyond, the 503 is answered at once. */
const DEFAULT_MAX_WAITING = 256;

/**
 * Remembers a downstream's "I am at capacity" (a 503 with Retry-After, e.g. auth's full hashing
 * gate) for a short while, and answers the calls of that while with the same 503 itself instead
 * of relaying each one. Auth's gate refuses only when every hashing slot and its whole queue are
 * taken, each for a bcrypt compare of hundreds of milliseconds, so no login can start there for
 * that long anyway; relaying a flood of logins in the meantime cost the broker an outgoing call
 * and auth an HTTP request apiece, on the cores the other actions share.
 *
 * A call that arrives during the hold gets its 503 when the hold ends, not at once: a client that
 * retries as soon as it is refused (a flood) then sends one login per hold instead of thousands a
 * second, each of which took the broker's event loop from `log` and `event`. At most
 * `maxWaiting` calls wait (a socket and a timer each); beyond, the 503 is answered at once. The
 * hold is short (never longer than the Retry-After that started it), so logins are let through
 * again as soon as auth can have room, and auth stays the one that decides.
 */
export class OverloadHold {
  private heldUntil = 0;
  private held: AppError | undefined;
  private waiting = 0;

  constructor(
    private readonly holdMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxWaiting = DEFAULT_MAX_WAITING,
  ) {}

  /** Rejects with the remembered 503 at the end of the current hold; resolves when none holds. */
  async check(): Promise<void> {
    const held = this.held;
    const remaining = this.heldUntil - this.now();
    if (!held || remaining <= 0) return;
    if (this.waiting < this.maxWaiting) {
      this.waiting++;
      try {
        await sleep(remaining);
      } finally {
        this.waiting--;
      }
    }
    throw held;
  }

  /** Starts a hold when `err` is a 503 that carries Retry-After; anything else is ignored. */
  observe(err: unknown): void {
    if (this.holdMs <= 0 || !(err instanceof AppError) || err.status !== 503) return;
    const retryAfterS = Number(err.headers?.['retry-after']);
    if (!Number.isFinite(retryAfterS) || retryAfterS <= 0) return;
    this.heldUntil = this.now() + Math.min(this.holdMs, retryAfterS * 1000);
    this.held = new AppError(503, err.message, {
      headers: { 'retry-after': String(Math.ceil(this.holdMs / 1000)) },
    });
  }
}
