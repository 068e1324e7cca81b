import type { DestinationStream } from 'pino';

/** What the buffer writes through to: pino's sonic-boom destination, or any stream with flushSync. */
export interface FlushableDestination extends DestinationStream {
  flushSync?: () => void;
}

/** Writes to the target at most this often under load; an idle line never waits for it. */
const DEFAULT_MIN_INTERVAL_MS = 10;

/**
 * Gathers log lines and hands them to `target` in few writes. A busy gateway writes an access-log
 * line per request; written one by one, each line was an asynchronous `write(2)` on a thread-pool
 * thread, with its dispatch and its completion on the event loop — more CPU than formatting the
 * line. Here a line written when nothing was written for `minIntervalMs` leaves at the end of the
 * current event-loop turn (with the rest of that turn's lines), so at idle no line waits for
 * company; under load the lines of up to `minIntervalMs` leave together. `flushSync` writes what
 * is gathered at once (exit, fatal errors), then flushes the target.
 */
export class TurnBufferedDestination implements DestinationStream {
  private gathered = '';
  private scheduled = false;
  private lastFlushAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly target: FlushableDestination,
    private readonly minIntervalMs = DEFAULT_MIN_INTERVAL_MS,
  ) {}

  write(line: string): void {
    this.gathered += line;
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = this.lastFlushAt + this.minIntervalMs - performance.now();
    if (wait <= 0) setImmediate(this.flush);
    else setTimeout(this.flush, wait).unref();
  }

  /** Writes what is gathered through to the target (asynchronously, as the target writes). */
  readonly flush = (): void => {
    this.scheduled = false;
    if (this.gathered === '') return;
    const text = this.gathered;
    this.gathered = '';
    this.lastFlushAt = performance.now();
    this.target.write(text);
  };

  flushSync(): void {
    this.flush();
    this.target.flushSync?.();
  }
}
