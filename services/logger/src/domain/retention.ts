import type { Logger } from '@micromesh/kit';
/** What retention prunes: the log store, the trace store. */
export interface Prunable {
  deleteOlderThan(cutoff: Date): Promise<number>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes entries older than `days` at start-up and then every `intervalMs`. Every replica runs it; the
 * deletes are idempotent, so overlapping runs only cost a little work.
 */
export function startRetention(
  store: Prunable,
  logger: Logger,
  days: number,
  intervalMs: number,
  what = 'log entries',
): { stop(): void; runOnce(): Promise<number> } {
  const runOnce = async () => {
    const cutoff = new Date(Date.now() - days * DAY_MS);
    const deleted = await store.deleteOlderThan(cutoff);
    if (deleted > 0) logger.info({ deleted, cutoff }, `retention: old ${what} deleted`);
    return deleted;
  };
  if (days <= 0) return { stop: () => {}, runOnce: async () => 0 };
  const run = () =>
    runOnce().catch((err: unknown) => logger.warn({ err }, 'retention run failed; will retry'));
  void run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
    },
    runOnce,
  };
}
