import type { Logger } from '@micromesh/kit';
import { MongoServerError, type ChangeStream, type Collection, type ResumeToken } from 'mongodb';
import type { LogEntry } from '../../domain/log-entry';
import { toEntry, type LogDocument } from './log-document';

export interface TailHandle {
  close(): Promise<void>;
}

/**
 * Servers without change streams: a standalone MongoDB (40573), FerretDB and other
 * wire-compatible servers (238 NotImplemented, 115 CommandNotSupported).
 */
const NO_CHANGE_STREAMS = new Set([40573, 238, 115]);
/** The resume point fell off the oplog: start afresh (entries in the gap are not replayed). */
const HISTORY_LOST = new Set([286, 280]);
const MAX_RETRY_MS = 10_000;

/**
 * The live tail on a change stream. Resolves only after the server has answered the stream's
 * first aggregate, so every insert committed after this resolves is delivered; resolves
 * `'unsupported'` when the server cannot stream changes at all. After a failure it reopens with
 * backoff from the last resume token (inserts made meanwhile are delivered, within the oplog's
 * window); an invalidate (the collection dropped or renamed) opens a fresh stream. close() stops
 * the stream and any pending reopen.
 */
export async function openChangeStreamTail(
  logs: Collection<LogDocument>,
  onEntries: (entries: LogEntry[]) => void,
  logger: Logger,
  retryMs = 1_000,
): Promise<TailHandle | 'unsupported'> {
  let closed = false;
  let stream: ChangeStream<LogDocument> | undefined;
  let resumeToken: ResumeToken | undefined;
  let timer: NodeJS.Timeout | undefined;

  const open = async () => {
    const next = logs.watch<LogDocument>(
      [{ $match: { operationType: { $in: ['insert', 'invalidate'] } } }],
      resumeToken ? { startAfter: resumeToken } : {},
    );
    try {
      // The first tryNext runs the aggregate: once it answers, the stream is open on the server.
      const first = await next.tryNext();
      if (closed) {
        await next.close().catch(() => {});
        return;
      }
      stream = next;
      if (first) deliver(next, first);
    } catch (error) {
      await next.close().catch(() => {});
      throw error;
    }
    void pump(next);
  };

  const deliver = (
    from: ChangeStream<LogDocument>,
    change: Awaited<ReturnType<ChangeStream<LogDocument>['next']>>,
  ) => {
    if (change.operationType === 'insert') onEntries([toEntry(change.fullDocument)]);
    if (change.operationType === 'invalidate') {
      logger.warn(
        'live tail: change stream invalidated (collection dropped or renamed); reopening',
      );
      resumeToken = undefined;
      restart(from, 0);
      return;
    }
    resumeToken = from.resumeToken;
  };

  const pump = async (current: ChangeStream<LogDocument>) => {
    try {
      while (!closed && stream === current) {
        const change = await current.tryNext();
        if (stream !== current) return;
        if (change) deliver(current, change);
        else resumeToken = current.resumeToken ?? resumeToken;
      }
    } catch (err) {
      if (closed || stream !== current) return;
      if (err instanceof MongoServerError && HISTORY_LOST.has(Number(err.code))) {
        resumeToken = undefined;
      }
      logger.warn({ err }, 'live tail: change stream failed; reopening');
      restart(current, retryMs);
    }
  };

  const restart = (broken: ChangeStream<LogDocument>, delayMs: number) => {
    if (stream === broken) stream = undefined;
    void broken.close().catch(() => {});
    schedule(delayMs);
  };

  const schedule = (delayMs: number) => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      if (closed) return;
      open().catch((err: unknown) => {
        logger.warn({ err }, 'live tail: reopening the change stream failed; retrying');
        schedule(Math.min(Math.max(delayMs * 2, retryMs), MAX_RETRY_MS));
      });
    }, delayMs);
    timer.unref();
  };

  try {
    await open();
  } catch (error) {
    if (error instanceof MongoServerError && NO_CHANGE_STREAMS.has(Number(error.code))) {
      return 'unsupported';
    }
    throw error;
  }
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
      const current = stream;
      stream = undefined;
      await current?.close().catch(() => {});
    },
  };
}
