import { parseInput, type Health } from '@micromesh/kit';
import { nonEmptyParams } from './query-params';
import type { Express, Response } from 'express';
import { filterSchema } from '../../domain/log-query';
import type { TailEndReason, TailHub } from '../../domain/tail-hub';

export interface LogStreamOptions {
  heartbeatMs: number;
  /**
   * Bytes one stream may still have queued for its client (the response's and its socket's
   * buffers) when the next batch comes; past this the client is not keeping up and the stream
   * ends with reason "slow consumer". A stream holds at most this plus one store batch.
   */
  maxBufferBytes: number;
  health: Health;
  /** How long an ended stream may take to deliver its last event before its socket is cut. */
  endGraceMs?: number;
}

const DEFAULT_END_GRACE_MS = 5_000;

/**
 * GET /logs/stream — the live tail as Server-Sent Events. Events: `ready` once the subscription
 * is live, then one `log` event per stored entry matching the filters (id = event_id), and a
 * `: ping` comment on idle streams. The logger ends a stream with an `end` event (`reason`) when
 * its client falls more than `maxBufferBytes` behind, and when the service shuts down. Full
 * (LOG_TAIL_MAX_SUBSCRIBERS): 503 with Retry-After.
 */
export function mountLogStreamRoute(app: Express, tail: TailHub, options: LogStreamOptions): void {
  const open = new Map<Response, (reason: TailEndReason) => void>();
  let shutdownWatch: NodeJS.Timeout | undefined;
  const graceMs = options.endGraceMs ?? DEFAULT_END_GRACE_MS;

  // Long-lived streams would hold a graceful shutdown for the whole drain timeout: end them as
  // soon as readiness turns off, and let clients reconnect to another replica.
  const watchShutdown = () => {
    shutdownWatch ??= setInterval(() => {
      if (options.health.isShuttingDown)
        for (const end of open.values()) end('logger shutting down');
      if (open.size === 0) {
        clearInterval(shutdownWatch);
        shutdownWatch = undefined;
      }
    }, 250);
    shutdownWatch.unref();
  };

  app.get('/logs/stream', async (req, res) => {
    const filter = parseInput(
      filterSchema.strict(),
      nonEmptyParams(req.query),
      'invalid stream filter',
    );
    // Entries can arrive between the subscription going live and the headers being sent.
    let early: string[] | undefined = [];
    let ended = false;
    // Every write goes through here, one store batch (or heartbeat) at a time. What a client does
    // not read stays in this process's memory: when the bytes still queued from earlier batches
    // pass the bound, the client is not keeping up and its stream is ended, not grown. (Checked
    // before a batch, not inside it: a burst larger than the bound is no sign of a slow client.)
    const send = (chunks: string[]) => {
      if (ended) return;
      if (early) {
        early.push(...chunks);
        return;
      }
      if (res.writableLength > options.maxBufferBytes) {
        end('slow consumer');
        return;
      }
      for (const chunk of chunks) res.write(chunk);
    };
    const unsubscribe = await tail.subscribe(filter, (entries) => {
      send(
        entries.map(
          (entry) => `event: log\nid: ${entry.event_id}\ndata: ${JSON.stringify(entry)}\n\n`,
        ),
      );
    });
    if (req.socket.destroyed) {
      unsubscribe(); // the client left while the subscription was being set up
      return;
    }
    const heartbeat = setInterval(() => send([': ping\n\n']), options.heartbeatMs);
    heartbeat.unref();
    let stopped = false;
    const stop = (endedBy?: TailEndReason) => {
      if (stopped) return;
      stopped = true;
      clearInterval(heartbeat);
      open.delete(res);
      unsubscribe(endedBy);
    };
    const end = (reason: TailEndReason) => {
      if (ended) return;
      ended = true;
      stop(reason);
      res.end(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
      // A client that does not read never takes that last event: cut the connection after a
      // grace period, so the bytes queued for it are freed.
      const cut = setTimeout(() => res.destroy(), graceMs);
      cut.unref();
      res.once('close', () => clearTimeout(cut));
    };

    open.set(res, end);
    watchShutdown();
    res.on('close', () => {
      ended = true;
      stop();
    });

    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx and similar proxies buffer responses unless told not to.
      'x-accel-buffering': 'no',
    });
    // `delivery` says how the tail is fed: "push", or "polling" where the store cannot push.
    const ready = { filter, delivery: tail.delivery };
    const waiting = early;
    early = undefined;
    send([`retry: 3000\nevent: ready\ndata: ${JSON.stringify(ready)}\n\n`, ...waiting]);
  });
}
