import { isPgUnavailable } from '@micromesh/kit';
import type { Logger } from '@micromesh/kit';
import { Client } from 'pg';
import type { LogEntry } from '../../domain/log-entry';
import { StoreUnavailableError, type StoreWatch } from '../../domain/ports';
import { TAIL_CHANNEL } from './migrations';

export interface ListenTailOptions {
  url: string;
  logger: Logger;
  connectTimeoutMs: number;
  /** Delay between reconnect attempts of the LISTEN connection. */
  retryMs: number;
  /** The stored entries whose row ids lie in [from, to], in id order. */
  entriesBetween(from: number, to: number): Promise<LogEntry[]>;
}

/**
 * The PostgreSQL live tail: a connection of its own (not the pool's) LISTENs on the channel the
 * insert trigger notifies with the id range of each statement's new rows, and every notification
 * fetches that range. A lost connection is replaced after `retryMs`, as long as the watch is open.
 */
export async function listenTail(
  options: ListenTailOptions,
  onEntries: (entries: LogEntry[]) => void,
): Promise<StoreWatch> {
  const { logger, retryMs } = options;
  let client: Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const fetchRange = async (payload: string) => {
    const [from, to] = payload.split(':').map(Number);
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) return;
    const entries = await options.entriesBetween(from as number, to as number);
    if (entries.length > 0) onEntries(entries);
  };

  const connect = async (): Promise<void> => {
    const next = new Client({
      connectionString: options.url,
      application_name: 'micromesh-logger-tail',
      connectionTimeoutMillis: options.connectTimeoutMs,
    });
    next.on('notification', (message) => {
      if (message.channel !== TAIL_CHANNEL || !message.payload) return;
      fetchRange(message.payload).catch((err: unknown) =>
        logger.warn({ err }, 'live tail: fetching new entries failed'),
      );
    });
    next.on('error', (err) => {
      logger.warn({ err }, 'live tail: LISTEN connection lost; reconnecting');
      scheduleReconnect(next);
    });
    next.on('end', () => scheduleReconnect(next));
    try {
      await next.connect();
      await next.query(`LISTEN ${TAIL_CHANNEL}`);
    } catch (err) {
      // Not awaited: end() on a client whose connect failed may never settle.
      void next.end().catch(() => {});
      throw err;
    }
    client = next;
  };

  const scheduleReconnect = (broken: Client) => {
    if (closed || client !== broken) return;
    client = undefined;
    void broken.end().catch(() => {});
    const attempt = () => {
      retry = undefined;
      if (closed) return;
      connect().catch(() => {
        retry = setTimeout(attempt, retryMs);
        retry.unref();
      });
    };
    retry = setTimeout(attempt, retryMs);
    retry.unref();
  };

  try {
    await connect();
  } catch (err) {
    throw isPgUnavailable(err) ? new StoreUnavailableError(err) : err;
  }
  return {
    delivery: 'push',
    close: async () => {
      closed = true;
      clearTimeout(retry);
      await client?.end().catch(() => {});
      client = undefined;
    },
  };
}
