import type { Logger } from '@micromesh/kit';
import type { Collection } from 'mongodb';
import type { LogEntry } from '../../domain/log-entry';
import type { TailHandle } from './change-stream-tail';
import { toEntry, type LogDocument } from './log-document';

export interface PollingTailOptions {
  intervalMs: number;
  /**
   * How far back each poll looks (by `received_at`, stamped by the writing replica's clock): an
   * insert that commits later than this after its stamp, or a replica whose clock is behind by
   * more, is missed. Documents are read once per poll within the window and delivered once.
   */
  windowMs: number;
}

const PAGE = 1_000;
const MAX_PAGES = 50;

/**
 * The live tail where the server cannot stream changes (a standalone MongoDB, FerretDB): polls the
 * `received_at` index. Resolves after the first read, which marks what is already stored, so
 * every insert after this resolves is delivered. A development fallback: each poll re-reads the
 * last `windowMs` of inserts, which is cheap at development rates and not meant for production
 * volumes (run MongoDB as a replica set there, and the change stream is used).
 */
export async function openPollingTail(
  logs: Collection<LogDocument>,
  onEntries: (entries: LogEntry[]) => void,
  logger: Logger,
  options: PollingTailOptions,
): Promise<TailHandle> {
  const seen = new Map<string, number>();
  let closed = false;
  let failing = false;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;

  const poll = async (deliver: boolean) => {
    const windowStart = Date.now() - options.windowMs;
    const fresh: LogDocument[] = [];
    let after: { received_at: Date; _id: string } | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const filter = after
        ? {
            $or: [
              { received_at: { $gt: after.received_at } },
              { received_at: after.received_at, _id: { $gt: after._id } },
            ],
          }
        : { received_at: { $gte: new Date(windowStart) } };
      const docs = await logs
        .find(filter, { projection: { terms: 0 } })
        .sort({ received_at: 1, _id: 1 })
        .limit(PAGE)
        .toArray();
      for (const doc of docs) {
        if (!seen.has(doc._id)) fresh.push(doc);
        seen.set(doc._id, doc.received_at.getTime());
      }
      const last = docs.at(-1);
      if (docs.length < PAGE || !last) break;
      after = { received_at: last.received_at, _id: last._id };
    }
    for (const [id, at] of seen) if (at < windowStart) seen.delete(id);
    if (deliver && fresh.length > 0) onEntries(fresh.map(toEntry));
  };

  const schedule = () => {
    if (closed) return;
    timer = setTimeout(() => {
      polling = poll(true)
        .then(() => {
          if (failing) logger.info('live tail: polling recovered');
          failing = false;
        })
        .catch((err: unknown) => {
          if (!failing) logger.warn({ err }, 'live tail: polling failed; retrying');
          failing = true;
        })
        .finally(() => {
          polling = undefined;
          schedule();
        });
    }, options.intervalMs);
    timer.unref();
  };

  await poll(false);
  schedule();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      await polling;
    },
  };
}
