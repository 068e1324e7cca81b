import type { Logger } from '@micromesh/kit';
import type { SmtpGate } from '../../domain/ports';

/** The longest pause after the server refused our set-up: at most one round of attempts a minute. */
export const SETUP_HOLD_MAX_MS = 60_000;

/**
 * Pauses deliveries while an attempt is pointless, so queued mail waits in the durable outbox,
 * unclaimed, instead of spending attempts:
 * - the server is unreachable: one probe (`verify`, a greeting without a message) every
 *   `probeIntervalMs` until it answers;
 * - the server refused our set-up (no login, sender refused, our address blocked): a hold that
 *   doubles from `probeIntervalMs` up to `SETUP_HOLD_MAX_MS` with each refusal in a row, then a
 *   probe, then attempts again (a refused MAIL FROM only shows in an attempt). A delivered mail
 *   resets the hold.
 * Mail keeps being accepted meanwhile.
 */
export function createSmtpGate(
  verify: () => Promise<void>,
  probeIntervalMs: number,
  logger: Logger,
): SmtpGate & { close(): void } {
  let open = true;
  let closed = false;
  let pausedBecause: string | undefined;
  let setupRefusals = 0;
  let waiters: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;

  const reopen = () => {
    open = true;
    const why = pausedBecause;
    pausedBecause = undefined;
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
    logger.info({ pausedBecause: why }, 'SMTP server answers again; deliveries resumed');
  };

  const setupHoldMs = () =>
    Math.min(SETUP_HOLD_MAX_MS, probeIntervalMs * 2 ** Math.min(setupRefusals - 1, 20));

  const probe = (delayMs: number) => {
    timer = setTimeout(() => {
      if (closed) return;
      verify().then(reopen, (err: unknown) => {
        logger.debug({ err }, 'SMTP probe failed; deliveries stay paused');
        probe(probeIntervalMs);
      });
    }, delayMs);
  };

  const pause = (reason: string, delayMs: number) => {
    open = false;
    pausedBecause = reason;
    probe(delayMs);
  };

  return {
    get isOpen() {
      return open;
    },
    get pausedBecause() {
      return pausedBecause;
    },
    reportDown() {
      if (!open || closed) return;
      logger.warn(
        { probeIntervalMs },
        'SMTP server unreachable; deliveries paused until it answers',
      );
      pause('SMTP server unreachable', probeIntervalMs);
    },
    reportSetupFailure(reason) {
      if (!open || closed) return;
      setupRefusals++;
      const holdMs = setupHoldMs();
      // An error, not a warning: nothing is delivered until someone fixes our configuration.
      logger.error(
        { reason, holdMs, refusalsInARow: setupRefusals },
        'SMTP server refused our set-up (login, sender or address); deliveries paused, mail kept queued',
      );
      pause(reason, holdMs);
    },
    reportDelivered() {
      setupRefusals = 0;
    },
    whenOpen(signal) {
      if (open) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          waiters = waiters.filter((w) => w !== wake);
          reject(signal?.reason ?? new Error('aborted'));
        };
        const wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        if (signal?.aborted) {
          onAbort();
          return;
        }
        signal?.addEventListener('abort', onAbort, { once: true });
        waiters.push(wake);
      });
    },
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
