import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import {
  acceptRequestId,
  REQUEST_ID_HEADER,
  runWithRequestContext,
} from '../logging/request-context';
import type { Metrics } from '../metrics/metrics';

/** Probes, scrapes and span exports: timed in metrics, not written to the access log. */
const QUIET_PATHS = new Set(['/livez', '/readyz', '/metrics', '/v1/traces']);

/**
 * Everything every request needs, in one middleware (one router layer, one `close` listener —
 * this runs on every request of the gateway's hot path, so it is kept lean):
 * - the request id: the caller's `x-request-id` when it is plain, else a new one; echoed back,
 *   and set as the context every log line and outgoing call inside the request carries;
 * - the access log line, at info (warn for 4xx, error for 5xx), or "request aborted";
 * - the duration histogram, labelled by route template (never the raw path).
 */
export function requestLifecycle(logger: Logger, metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const requestId = acceptRequestId(req.headers[REQUEST_ID_HEADER]) ?? randomUUID();
    res.setHeader(REQUEST_ID_HEADER, requestId);
    res.once('close', () => {
      const seconds = (performance.now() - started) / 1000;
      const routePath: unknown = req.route?.path;
      const route =
        typeof routePath === 'string' ? `${req.baseUrl}${routePath}` : res.locals.metricsRoute;
      const status = res.statusCode;
      metrics.httpDuration.observe(
        {
          method: req.method,
          route: typeof route === 'string' ? route : 'unmatched',
          status_code: String(status),
        },
        seconds,
      );
      if (QUIET_PATHS.has(req.path)) return;
      const line = {
        reqId: requestId,
        req: { method: req.method, url: req.originalUrl },
        res: { statusCode: status },
        responseTime: Math.round(seconds * 10_000) / 10,
      };
      if (!res.writableFinished) logger.warn(line, 'request aborted');
      else if (status >= 500) logger.error(line, 'request completed');
      else if (status >= 400) logger.warn(line, 'request completed');
      else logger.info(line, 'request completed');
    });
    runWithRequestContext({ requestId }, next);
  };
}
