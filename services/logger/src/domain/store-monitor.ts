import type { Logger } from '@micromesh/kit';
import type { LogStore } from './ports';

/**
 * Knows whether the store answers: probes it on an interval, and immediately when an operation
 * fails. Listeners (the gRPC health service) hear every change; recovery is automatic.
 */
export class StoreMonitor {
  private up = true;
  private timer?: NodeJS.Timeout;
  private probing?: Promise<void>;
  private readonly listeners: ((up: boolean) => void)[] = [];

  constructor(
    private readonly store: LogStore,
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {}

  get isUp(): boolean {
    return this.up;
  }

  onChange(listener: (up: boolean) => void): void {
    this.listeners.push(listener);
    listener(this.up);
  }

  start(): void {
    this.timer = setInterval(() => void this.probe(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  reportFailure(): void {
    this.set(false);
    void this.probe();
  }

  /** One probe at a time; concurrent callers share it. */
  probe(): Promise<void> {
    this.probing ??= this.store
      .ping()
      .then(
        () => this.set(true),
        (err: unknown) => {
          if (this.up) this.logger.warn({ err }, 'log store unavailable');
          this.set(false);
        },
      )
      .finally(() => {
        this.probing = undefined;
      });
    return this.probing;
  }

  private set(up: boolean): void {
    if (up === this.up) return;
    this.up = up;
    if (up) this.logger.info('log store available again');
    for (const listener of this.listeners) listener(up);
  }
}
