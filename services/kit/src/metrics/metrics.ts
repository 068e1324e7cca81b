import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
}

/**
 * One registry per service instance (not prom-client's global one), so several services or test
 * apps can live in one process without clashing metric names.
 */
export function createMetrics(service: string): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return { registry, httpDuration };
}

/**
 * Times every request. The route label is the matched route template (`/api/users/:id`), never
 * the raw path, so label cardinality stays bounded; unmatched requests share one label.
 */
export function httpMetricsMiddleware(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const end = metrics.httpDuration.startTimer();
    res.once('finish', () => {
      const routePath: unknown = req.route?.path;
      const route =
        typeof routePath === 'string' ? `${req.baseUrl}${routePath}` : res.locals.metricsRoute;
      end({
        method: req.method,
        route: typeof route === 'string' ? route : 'unmatched',
        status_code: String(res.statusCode),
      });
    });
    next();
  };
}
