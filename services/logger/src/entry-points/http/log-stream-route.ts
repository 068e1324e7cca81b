import { parseInput, type Health } from '@micromesh/kit';
import { nonEmptyParams } from './query-params';
import type { Express, Response } from 'express';
import { filterSchema } from '../../domain/log-query';
import type { TailHub } from '../../domain/tail-hub';

export interface LogStreamOptions {
  heartbeatMs: number;
  health: Health;
}

/**
 * GET /logs/stream — the live tail as Server-Sent Events. Events: `ready` once the subscription
 * is live, then one `log` event per stored entry matching the filters (id = event_id), and a
 * `: ping` comment on idle streams. Streams end when the service shuts down.
 */
export function mountLogStreamRoute(app: Express, tail: TailHub, options: LogStreamOptions): void {
  const open = new Set<Response>();
  let shutdownWatch: NodeJS.Timeout | undefined;

  // Long-lived streams would hold a graceful shutdown for the whole drain timeout: end them as
  // soon as readiness turns off, and let clients reconnect to another replica.
  const watchShutdown = () => {
    shutdownWatch ??= setInterval(() => {
      if (options.health.isShuttingDown) for (const res of open) res.end();
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
    const unsubscribe = await tail.subscribe(filter, (entry) => {
      res.write(`event: log\nid: ${entry.event_id}\ndata: ${JSON.stringify(entry)}\n\n`);
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
    res.write(`retry: 3000\nevent: ready\ndata: ${JSON.stringify(ready)}\n\n`);
    open.add(res);
    watchShutdown();
    const heartbeat = setInterval(() => res.write(': ping\n\n'), options.heartbeatMs);
    heartbeat.unref();
    res.on('close', () => {
      clearInterval(heartbeat);
      open.delete(res);
      unsubscribe();
    });
  });
}
