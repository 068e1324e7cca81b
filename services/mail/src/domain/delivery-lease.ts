import type { Logger } from '@micromesh/kit';

export interface LeaseKeeper {
  /** False once a renewal found the lease taken: the attempt's outcome will not be recorded. */
  readonly held: boolean;
  stop(): void;
}

/**
 * Keeps an attempt's lease alive while it waits for SMTP: renews it every third of its length,
 * so a slow server (or a long queue for a pooled connection) never lets the lease run out and a
 * second worker claim and send the same message. A failed renewal (PostgreSQL briefly away) is
 * retried at the next tick; two more before the lease ends.
 */
export function keepLease(
  renew: () => Promise<boolean>,
  leaseMs: number,
  logger: Logger,
  messageId: string,
): LeaseKeeper {
  let held = true;
  const timer = setInterval(
    () => {
      renew().then(
        (ok) => {
          if (!ok && held) {
            held = false;
            logger.error({ messageId }, 'delivery lease lost while the attempt was running');
          }
        },
        (err: unknown) => logger.warn({ err, messageId }, 'delivery lease renewal failed'),
      );
    },
    Math.floor(leaseMs / 3),
  );
  timer.unref();
  return {
    get held() {
      return held;
    },
    stop: () => clearInterval(timer),
  };
}
