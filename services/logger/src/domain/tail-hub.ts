import { AppError, type Logger } from '@micromesh/kit';
import type { LogEntry } from './log-entry';
import type { LogFilter } from './log-query';
import type { LogStore, StoreWatch } from './ports';
import { matchesText } from './search-terms';

/** Gets the matching entries of each store batch at once, in order (never an empty list). */
export type TailListener = (entries: LogEntry[]) => void;

/** Why the logger ended a subscription (the stream's `end` event says it to the client). */
export type TailEndReason = 'slow consumer' | 'logger shutting down';

/** What the hub reports (metrics). */
export interface TailObserver {
  ended(reason: TailEndReason): void;
  refused(): void;
}

export interface TailHubOptions {
  /** Subscribers held at once; one more is refused (503, Retry-After). */
  maxSubscribers: number;
  observer?: TailObserver;
}

/** Ends a subscription; with a reason when the logger ended it (not the client leaving). */
export type Unsubscribe = (endedBy?: TailEndReason) => void;

/** Seconds a refused subscriber is asked to wait before it tries again. */
const FULL_RETRY_AFTER_S = 5;

/**
 * The live tail: ONE store watch per process (which sees commits of every replica), fanned out to
 * each subscriber whose filter matches. The watch opens with the first subscriber and closes
 * with the last, so an idle logger holds no extra connection. At most `maxSubscribers` at once:
 * each costs a filter pass per stored entry and a send buffer.
 */
export class TailHub {
  private readonly subscribers = new Map<TailListener, LogFilter>();
  private watching?: Promise<StoreWatch>;
  private currentDelivery?: StoreWatch['delivery'];

  constructor(
    private readonly store: LogStore,
    private readonly logger: Logger,
    private readonly options: TailHubOptions,
  ) {}

  get size(): number {
    return this.subscribers.size;
  }

  /** How the current watch gets new entries (see StoreWatch); undefined while none is open. */
  get delivery(): StoreWatch['delivery'] | undefined {
    return this.currentDelivery;
  }

  /** Resolves once the watch is live, so nothing committed after this returns is missed. */
  async subscribe(filter: LogFilter, listener: TailListener): Promise<Unsubscribe> {
    if (this.subscribers.size >= this.options.maxSubscribers) {
      this.options.observer?.refused();
      throw new AppError(
        503,
        `the live tail is full: this logger serves at most ${this.options.maxSubscribers} streams; try again later`,
        { headers: { 'retry-after': String(FULL_RETRY_AFTER_S) } },
      );
    }
    this.subscribers.set(listener, filter);
    try {
      this.watching ??= this.store.watch((entries) => this.publish(entries));
      this.currentDelivery = (await this.watching).delivery;
    } catch (error) {
      this.subscribers.delete(listener);
      this.watching = undefined;
      throw error;
    }
    return (endedBy) => {
      if (endedBy && this.subscribers.has(listener)) this.options.observer?.ended(endedBy);
      this.unsubscribe(listener);
    };
  }

  async close(): Promise<void> {
    this.subscribers.clear();
    await this.stopWatching();
  }

  private unsubscribe(listener: TailListener): void {
    this.subscribers.delete(listener);
    if (this.subscribers.size === 0) void this.stopWatching();
  }

  private async stopWatching(): Promise<void> {
    const watching = this.watching;
    this.watching = undefined;
    this.currentDelivery = undefined;
    if (!watching) return;
    try {
      await (await watching).close();
    } catch (err) {
      this.logger.debug({ err }, 'closing the tail watch failed');
    }
  }

  private publish(entries: LogEntry[]): void {
    for (const [listener, filter] of this.subscribers) {
      const matching = entries.filter((entry) => matches(entry, filter));
      if (matching.length > 0) listener(matching);
    }
  }
}

/** The tail's in-process filter: the same rules as the stores' (text: search-terms.ts). */
export function matches(entry: LogEntry, filter: LogFilter): boolean {
  if (filter.service !== undefined && entry.service !== filter.service) return false;
  if (filter.level !== undefined && entry.level !== filter.level) return false;
  if (filter.trace_id !== undefined && entry.trace_id !== filter.trace_id) return false;
  if (filter.text !== undefined && !matchesText(entry.name, entry.data, filter.text)) return false;
  return true;
}
