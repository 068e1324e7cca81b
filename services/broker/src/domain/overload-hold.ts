import { AppError } from '@micromesh/kit';

/**
 * Remembers a downstream's "I am at capacity" (a 503 with Retry-After, e.g. auth's full hashing
 * gate) for a short while, and answers the calls of that while with the same 503 at once instead
 * of relaying each one. Auth's gate refuses only when every hashing slot and its whole queue are
 * taken, each for a bcrypt compare of hundreds of milliseconds, so no login can start there for
 * that long anyway; relaying a flood of logins in the meantime cost the broker an outgoing call
 * and auth an HTTP request apiece, on the cores the other actions share. The hold is short (and
 * never longer than the Retry-After that started it), so logins are let through again as soon as
 * auth can have room, and auth stays the one that decides.
 */
export class OverloadHold {
  private heldUntil = 0;
  private held: AppError | undefined;

  constructor(
    private readonly holdMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws the remembered 503 while the hold lasts. */
  check(): void {
    if (this.held && this.now() < this.heldUntil) throw this.held;
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
