import type { LogEvent } from '@micromesh/contracts';
import {
  callUnary,
  createLogServiceClient,
  type QueryLogsRequest,
  type QueryLogsResponse__Output,
} from '@micromesh/proto';

export interface StoredCounts {
  /** Entries the logger returns (a second copy of an event would be one more). */
  rows: number;
  /** Distinct event ids among them. */
  distinct: number;
}

/** The logger's page limit of QueryLogs. */
const PAGE = 500;

/**
 * What the logger holds, read the way any reader of logs reads it: its gRPC QueryLogs (the tests
 * run it without TLS), page by page. Never its database: the listener's tests see the logger only
 * through its API.
 */
export function connectLoggerApi(grpcAddress: string) {
  const client = createLogServiceClient(grpcAddress);

  /** Event ids of every entry that matches `filter`, one per stored entry (copies included). */
  const eventIds = async (filter: QueryLogsRequest): Promise<string[]> => {
    const ids: string[] = [];
    let cursor = '';
    do {
      const page = await callUnary<QueryLogsResponse__Output>(
        (metadata, options, callback) =>
          client.QueryLogs({ ...filter, limit: PAGE, cursor }, metadata, options, callback),
        { timeoutMs: 10_000 },
      );
      for (const entry of page.entries) ids.push(entry.event_id);
      cursor = page.next_cursor;
    } while (cursor !== '');
    return ids;
  };

  return {
    /** Every entry the logger holds. */
    async counts(): Promise<StoredCounts> {
      const ids = await eventIds({});
      return { rows: ids.length, distinct: new Set(ids).size };
    },
    /**
     * Entries stored among `events` (others' entries do not count): the query is narrowed to the
     * events' time span (and their service, when they share one), then matched by event id.
     */
    async countsOf(events: readonly LogEvent[]): Promise<StoredCounts> {
      if (events.length === 0) return { rows: 0, distinct: 0 };
      const wanted = new Set(events.map((event) => event.event_id));
      let first = Infinity;
      let last = -Infinity;
      for (const event of events) {
        const time = Date.parse(event.timestamp);
        first = Math.min(first, time);
        last = Math.max(last, time);
      }
      const services = new Set(events.map((event) => event.service));
      const [service] = services;
      const ids = await eventIds({
        from: new Date(first).toISOString(),
        // `to` is exclusive; stored timestamps have millisecond precision.
        to: new Date(last + 1).toISOString(),
        ...(services.size === 1 && service !== undefined && { service }),
      });
      const mine = ids.filter((id) => wanted.has(id));
      return { rows: mine.length, distinct: new Set(mine).size };
    },
    close: () => client.close(),
  };
}

export type LoggerApi = ReturnType<typeof connectLoggerApi>;
