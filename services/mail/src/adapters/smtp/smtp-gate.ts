import type { Logger } from '@micromesh/kit';
import type { SmtpGate } from '../../domain/ports';

/**
 * Pauses deliveries while the SMTP server is unreachable: after an attempt fails to reach it, one
 * probe (`verify`, a greeting without a message) every `probeIntervalMs` instead of an attempt per
 * queued mail. Mail keeps being accepted; it waits in the durable outbox, unclaimed, and costs no
 * retry attempts until the server answers again.
 */
export function createSmtpGate(
  verify: () => Promise<void>,
  probeIntervalMs: number,
  logger: Logger,
): SmtpGate & { close(): void } {
  let open = true;
  let closed = false;
  let waiters: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;

  const reopen = () => {
    open = true;
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
    logger.info('SMTP server answers again; deliveries resumed');
  };

  const probe = () => {
    timer = setTimeout(() => {
      if (closed) return;
      verify().then(reopen, (err: unknown) => {
        logger.debug({ err }, 'SMTP probe failed; deliveries stay paused');
        probe();
      });
    }, probeIntervalMs);
  };

  return {
    get isOpen() {
      return open;
    },
    reportDown() {
      if (!open || closed) return;
      open = false;
      logger.warn(
        { probeIntervalMs },
        'SMTP server unreachable; deliveries paused until it answers',
      );
      probe();
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
