import type { Logger } from 'pino';
import {
  CHECK_CONFIG_FLAG,
  ConfigChecked,
  configCheckLine,
  startConfigCheck,
} from '../config/config-check';
import { ConfigError } from '../config/load-config';
import { armExitWatchdog } from './exit-watchdog';
import { createLogger } from '../logging/logger';
import { tracingStats } from '../tracing/tracing-stats';
import type { Lifecycle } from './lifecycle';

export interface RunningService {
  logger: Logger;
  lifecycle: Lifecycle;
  /** Addresses to announce once started (name → URL). */
  urls: Record<string, string>;
}

/** How long past the shutdown timeout the watchdog waits before it kills a stuck process. */
const WATCHDOG_GRACE_MS = 1_000;

export interface RunMainOptions {
  /** Longest a graceful shutdown may take before the process is forced out. */
  shutdownTimeoutMs?: number;
}

/**
 * The process entry every service's main.ts calls. Starts the service, then owns the process:
 * SIGTERM/SIGINT → graceful shutdown (bounded by a timeout), an uncaught error → log and exit.
 * A configuration error prints one line naming the variable and exits 1.
 *
 * With `--check-config` it only loads the configuration from the environment, prints one line
 * (`<name>: configuration ok {…}` on stdout, or the error on stderr) and exits 0 or 2 (1 if the
 * check itself broke), before the service opens anything: what the deploy checks run against
 * each manifest's environment.
 */
export function runMain(
  name: string,
  start: () => Promise<RunningService>,
  options: RunMainOptions = {},
): void {
  if (process.argv.includes(CHECK_CONFIG_FLAG)) {
    checkConfig(name, start);
    return;
  }
  const timeoutMs = options.shutdownTimeoutMs ?? Number(process.env.SHUTDOWN_TIMEOUT_MS ?? 10_000);
  let running: RunningService | undefined;
  const fallbackLogger = createLogger({ service: name });

  // A reader that went away (the supervisor killed, a closed pipe) must not turn every log line
  // into an exception: the lines are lost, the shutdown still happens.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

  let stopping = false;
  const stop = async (reason: string, code: number): Promise<void> => {
    const logger = running?.logger ?? fallbackLogger;
    if (!stopping) {
      stopping = true;
      // The timer below needs a free event loop; a write blocked on a full pipe or a hot loop
      // would hold it forever, so a worker thread ends the process shortly after regardless.
      armExitWatchdog(timeoutMs + WATCHDOG_GRACE_MS);
      const forced = setTimeout(() => {
        try {
          logger.error({ timeoutMs }, 'shutdown timed out; forcing exit');
        } finally {
          process.exit(code || 1);
        }
      }, timeoutMs);
      forced.unref();
    }
    try {
      await running?.lifecycle.shutdown(reason);
      // The last spans (the shutdown's own requests included) leave before the process does.
      await tracingStats()
        .flush?.()
        .catch(() => undefined);
    } finally {
      process.exit(code);
    }
  };

  // Under a supervisor (scripts/up) stdin is a pipe from it: when the supervisor dies, even by
  // SIGKILL, the pipe ends and the service shuts down instead of running on as an orphan.
  if (process.env.MICROMESH_LIFELINE === 'stdin') {
    process.stdin.on('error', () => undefined);
    process.stdin.once('end', () => void stop('supervisor gone', 0));
    process.stdin.resume();
  }

  let signals = 0;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      signals += 1;
      if (signals > 1) process.exit(1); // a second signal means "now"
      void stop(signal, 0);
    });
  }
  process.on('uncaughtException', (err) => {
    (running?.logger ?? fallbackLogger).fatal({ err }, 'uncaught exception');
    void stop('uncaughtException', 1);
  });
  process.on('unhandledRejection', (err) => {
    (running?.logger ?? fallbackLogger).fatal({ err }, 'unhandled rejection');
    void stop('unhandledRejection', 1);
  });

  // A loader that throws before start's first await (the config, always) rejects like the rest.
  new Promise<RunningService>((resolve) => resolve(start())).then(
    (service) => {
      running = service;
      service.logger.info({ urls: service.urls }, `${name} started`);
    },
    (err: unknown) => {
      if (err instanceof ConfigError) {
        // eslint-disable-next-line no-console -- one plain line for people, before any logger exists
        console.error(`${name}: ${err.message}`);
        process.exit(1);
      }
      fallbackLogger.fatal({ err }, `${name} failed to start`);
      process.exit(1);
    },
  );
}

/** `--check-config`: the first loadConfig throws its result (ConfigChecked) before start does I/O. */
function checkConfig(name: string, start: () => Promise<RunningService>): void {
  startConfigCheck();
  /* eslint-disable no-console -- the check's answer is one plain line for people and scripts */
  const report = (err: unknown): void => {
    if (err instanceof ConfigChecked) {
      console.log(configCheckLine(name, err.config));
      process.exit(0);
    }
    if (err instanceof ConfigError) {
      console.error(`${name}: ${err.message}`);
      process.exit(2);
    }
    console.error(`${name}: the configuration check failed: ${String(err)}`);
    process.exit(1);
  };
  new Promise<RunningService>((resolve) => resolve(start())).then(
    () => report(new Error('started without loading a configuration')),
    report,
  );
  /* eslint-enable no-console */
}
