import type { Logger } from '@micromesh/kit';

export interface LeaseKeeper {
  /** False once a renewal found the lease taken: the attempt's outcome will not be recorded. */
  readonly held: boolean;
  /**
   * Until when (epoch ms) the lease is surely still ours: the start of the last successful
   * renewal (or of the keeper) plus the lease, less a tenth of it for clock and statement time.
   */
  readonly safeUntil: number;
  stop(): void;
}

/**
 * Keeps an attempt's lease alive while it waits for SMTP and while its outcome is recorded:
 * renews it every third of its length, so a slow server (or a long queue for a pooled
 * connection) never lets the lease run out and a second worker claim and send the same message.
 * A failed renewal (PostgreSQL briefly away) is retried at the next tick; two more before the
 * lease ends.
 */
export function keepLease(
  renew: () => Promise<boolean>,
  leaseMs: number,
  logger: Logger,
  messageId: string,
): LeaseKeeper {
  let held = true;
  let stopped = false;
  const margin = Math.floor(leaseMs / 10);
  let safeUntil = Date.now() + leaseMs - margin;
  const timer = setInterval(
    () => {
      const startedAt = Date.now();
      renew().then(
        (ok) => {
          if (stopped) return; // the outcome was written meanwhile: the lease is gone on purpose
          if (ok) {
            safeUntil = Math.max(safeUntil, startedAt + leaseMs - margin);
          } else if (held) {
            held = false;
            logger.error({ messageId }, 'delivery lease lost while the attempt was running');
          }
        },
        (err: unknown) => {
          if (!stopped) logger.warn({ err, messageId }, 'delivery lease renewal failed');
        },
      );
    },
    Math.floor(leaseMs / 3),
  );
  timer.unref();
  return {
    get held() {
      return held;
    },
    get safeUntil() {
      return safeUntil;
    },
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
