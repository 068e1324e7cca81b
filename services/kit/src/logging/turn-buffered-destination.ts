import type { DestinationStream } from 'pino';

/** What the buffer writes through to: pino's sonic-boom destination, or any stream with flushSync. */
export interface FlushableDestination extends DestinationStream {
  flushSync?: () => void;
}

/**
 * Gathers the log lines written during one event-loop turn and hands them to `target` as one
 * write at the end of that turn (setImmediate). A busy gateway answers dozens of requests per
 * turn, each with its access-log line: written one by one, each line was its own `write(2)` on a
 * thread-pool thread plus its dispatch on the event loop. No line waits for company: a line
 * written at idle leaves on the next turn, a few microseconds later. `flushSync` writes what is
 * gathered at once (exit, fatal errors), then flushes the target.
 */
export class TurnBufferedDestination implements DestinationStream {
  private gathered = '';
  private scheduled = false;

  constructor(private readonly target: FlushableDestination) {}

  write(line: string): void {
    this.gathered += line;
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flush);
  }

  /** Writes what is gathered through to the target (asynchronously, as the target writes). */
  readonly flush = (): void => {
    this.scheduled = false;
    if (this.gathered === '') return;
    const text = this.gathered;
    this.gathered = '';
    this.target.write(text);
  };

  flushSync(): void {
    this.flush();
    this.target.flushSync?.();
  }
}
