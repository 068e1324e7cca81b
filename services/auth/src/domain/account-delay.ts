import { AppError } from '@micromesh/kit';
import type { AccountFailureStore } from './ports';

export interface AccountDelaySettings {
  /** Failures allowed without any wait (typos). */
  freeFailures: number;
  /** The first wait after the free failures; it doubles with each further failure. */
  baseDelayMs: number;
  /** The longest wait: never a lockout, only a delay an attacker cannot shorten. */
  maxDelayMs: number;
}

/**
 * Brute-force brake per account, across every client address: after `freeFailures` failed logins
 * each further attempt must wait base·2^(n-free) (capped) after the last failure, or it is refused
 * with 429 and Retry-After before any password is checked. A success clears the counter. Guesses
 * spread over many addresses therefore slow down exactly as guesses from one do, while the owner
 * is never locked out for longer than the cap.
 */
export class AccountDelay {
  constructor(
    private readonly store: AccountFailureStore,
    private readonly settings: AccountDelaySettings,
  ) {}

  async check(email: string, now = Date.now()): Promise<void> {
    const state = await this.store.get(keyOf(email));
    if (!state) return;
    const waitMs = this.delayAfter(state.failures);
    const readyAt = state.lastFailureAt.getTime() + waitMs;
    if (now < readyAt) {
      throw AppError.tooManyRequests(
        Math.ceil((readyAt - now) / 1000),
        'too many failed logins for this account, try again later',
      );
    }
  }

  async failed(email: string): Promise<void> {
    await this.store.recordFailure(keyOf(email));
  }

  async succeeded(email: string): Promise<void> {
    await this.store.clear(keyOf(email));
  }

  /** The wait after `failures` failed logins. */
  delayAfter(failures: number): number {
    const { freeFailures, baseDelayMs, maxDelayMs } = this.settings;
    if (failures < freeFailures) return 0;
    const doublings = Math.min(failures - freeFailures, 30);
    return Math.min(maxDelayMs, baseDelayMs * 2 ** doublings);
  }
}

const keyOf = (email: string) => email.trim().toLowerCase();
