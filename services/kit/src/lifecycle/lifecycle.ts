import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Health } from '../health/health';

export type Closer = () => Promise<unknown> | unknown;

export interface LifecycleOptions {
  logger: Logger;
  health: Health;
  /** Pause between failing readiness and closing anything (lets load balancers notice). */
  delayMs?: number;
}

/**
 * Owns the order of a graceful shutdown: readiness false first, then every registered resource
 * closed in reverse order of registration (so the HTTP listener, registered last, drains first
 * and the database pool, registered first, closes last).
 */
export class Lifecycle {
  private readonly closers: { name: string; close: Closer }[] = [];
  private shutdownPromise?: Promise<void>;

  constructor(private readonly options: LifecycleOptions) {}

  onShutdown(name: string, close: Closer): void {
    this.closers.push({ name, close });
  }

  get stopping(): boolean {
    return this.shutdownPromise !== undefined;
  }

  /** Idempotent: a second call returns the first call's promise. */
  shutdown(reason = 'shutdown'): Promise<void> {
    this.shutdownPromise ??= this.run(reason);
    return this.shutdownPromise;
  }

  private async run(reason: string): Promise<void> {
    const { logger, health, delayMs = 0 } = this.options;
    logger.info({ reason }, 'shutting down: readiness off');
    health.markShuttingDown();
    if (delayMs > 0) await sleep(delayMs);
    for (const { name, close } of [...this.closers].reverse()) {
      try {
        await close();
        logger.debug({ resource: name }, 'closed');
      } catch (err) {
        logger.error({ err, resource: name }, 'failed to close resource');
      }
    }
    logger.info('shutdown complete');
  }
}
