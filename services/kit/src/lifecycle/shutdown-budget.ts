/**
 * What closing the connections after the drain may take: bounded AMQP channel/connection closes,
 * the PostgreSQL pool, the listener's batches in hand.
 */
export const SHUTDOWN_CLOSE_RESERVE_MS = 5_000;

export interface ShutdownTimes {
  SHUTDOWN_DELAY_MS: number;
  SHUTDOWN_DRAIN_MS?: number;
  SHUTDOWN_TIMEOUT_MS?: number;
}

/**
 * A graceful shutdown waits SHUTDOWN_DELAY_MS (readiness off, load balancers notice), drains open
 * requests for up to SHUTDOWN_DRAIN_MS, then closes the connections. When SHUTDOWN_TIMEOUT_MS
 * is shorter than all that, every rollout ends in a forced exit (code 1, closers skipped).
 * Returns why the times do not add up, or null.
 */
export function shutdownBudgetProblem(times: ShutdownTimes): string | null {
  const delay = times.SHUTDOWN_DELAY_MS;
  const drain = times.SHUTDOWN_DRAIN_MS ?? 5_000;
  const timeout = times.SHUTDOWN_TIMEOUT_MS ?? 10_000;
  const needed = delay + drain + SHUTDOWN_CLOSE_RESERVE_MS;
  if (needed <= timeout) return null;
  return (
    `SHUTDOWN_TIMEOUT_MS (${timeout}) is shorter than SHUTDOWN_DELAY_MS (${delay}) + ` +
    `SHUTDOWN_DRAIN_MS (${drain}) + ${SHUTDOWN_CLOSE_RESERVE_MS} ms to close connections: ` +
    `a shutdown with open requests will be forced`
  );
}
