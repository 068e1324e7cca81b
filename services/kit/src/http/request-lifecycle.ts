import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import {
  acceptRequestId,
  REQUEST_ID_HEADER,
  runWithRequestContext,
} from '../logging/request-context';
import type { Metrics } from '../metrics/metrics';
import { setRequestScope } from './request-scope';
import {
  endServerSpan,
  runInServerSpan,
  serverSpanIds,
  startServerSpan,
} from '../tracing/server-span';

type Observer = { observe(value: number): void };

/** Probes, scrapes and span exports: timed in metrics, not written to the access log. */
const QUIET_PATHS = new Set(['/livez', '/readyz', '/metrics', '/v1/traces']);

/**
 * Everything every request needs, in one middleware (one router layer, one `close` listener —
 * this runs on every request of the gateway's hot path, so it is kept lean):
 * - the request id: the caller's `x-request-id` when it is plain, else a new one; echoed back,
 *   and set as the context every log line and outgoing call inside the request carries;
 * - the access log line, at info (warn for 4xx, error for 5xx), or "request aborted";
 * - the duration histogram, labelled by route template (never the raw path);
 * - with tracing on, the request's SERVER span (see startServerSpan), whose context the rest of
 *   the handling runs in.
 */
export function requestLifecycle(logger: Logger, metrics: Metrics): RequestHandler {
  // The histogram's child per label set, kept: prom-client would otherwise hash the three labels
  // on every observation. Routes are templates and statuses few, so this stays small.
  const children = new Map<string, Observer>();
  const durationOf = (method: string, route: string, status: number): Observer => {
    const key = `${method} ${status} ${route}`;
    let child = children.get(key);
    if (!child) {
      child = metrics.httpDuration.labels({ method, route, status_code: String(status) });
      children.set(key, child);
    }
    return child;
  };
  return (req, res, next) => {
    const started = performance.now();
    const requestId = acceptRequestId(req.headers[REQUEST_ID_HEADER]) ?? randomUUID();
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const serverSpan = startServerSpan(req);
    res.once('close', () => {
      const seconds = (performance.now() - started) / 1000;
      const routePath: unknown = req.route?.path;
      const route =
        typeof routePath === 'string' ? `${req.baseUrl}${routePath}` : res.locals.metricsRoute;
      const status = res.statusCode;
      const matched = typeof route === 'string' ? route : undefined;
      durationOf(req.method, matched ?? 'unmatched', status).observe(seconds);
      if (serverSpan) {
        endServerSpan(serverSpan, {
          method: req.method,
          route: matched,
          status,
          finished: res.writableFinished,
        });
      }
      if (QUIET_PATHS.has(req.path)) return;
      const line = {
        reqId: requestId,
        // The line names the request's span whatever context the close event fires in.
        ...(serverSpan ? serverSpanIds(serverSpan) : {}),
        req: { method: req.method, url: req.originalUrl },
        res: { statusCode: status },
        responseTime: Math.round(seconds * 10_000) / 10,
      };
      if (!res.writableFinished) logger.warn(line, 'request aborted');
      else if (status >= 500) logger.error(line, 'request completed');
      else if (status >= 400) logger.warn(line, 'request completed');
      else logger.info(line, 'request completed');
    });
    const scope = { requestId };
    const enter = serverSpan
      ? (fn: () => void) => runWithRequestContext(scope, () => runInServerSpan(serverSpan, fn))
      : (fn: () => void) => runWithRequestContext(scope, fn);
    setRequestScope(req, enter);
    enter(next);
  };
}
