import type { Logger } from '@micromesh/kit';

export interface Sweeper {
  /** Runs one sweep now (tests, start-up); never overlaps a running one. */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

/** Runs `sweep` every `intervalMs`, one run at a time; a failing run is logged and retried later. */
export function startSweeper(
  sweep: () => Promise<unknown>,
  intervalMs: number,
  logger: Logger,
): Sweeper {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const runOnce = (): Promise<void> => {
    running ??= sweep()
      .then(
        () => undefined,
        (err: unknown) => logger.warn({ err }, 'outbox sweep failed; trying again next interval'),
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void runOnce().then(schedule), intervalMs);
  };
  schedule();

  return {
    runOnce,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
