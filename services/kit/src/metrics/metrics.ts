import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { tracingStats } from '../tracing/tracing-stats';

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
  registerTracingCounters(registry);
  return { registry, httpDuration };
}

/**
 * The span pipeline's counts (kept by the tracing bootstrap) as Prometheus counters: spans
 * exported, and spans dropped because the export target was slow or down.
 */
function registerTracingCounters(registry: Registry): void {
  const stats = tracingStats();
  const seenDropped = new Map<string, number>();
  let seenExported = 0;
  new Counter({
    name: 'micromesh_trace_spans_dropped_total',
    help: 'Spans given up, by reason: queue_full (the target is slow or down), export_failed',
    labelNames: ['reason'] as const,
    registers: [registry],
    collect() {
      for (const [reason, total] of stats.dropped) {
        const delta = total - (seenDropped.get(reason) ?? 0);
        if (delta > 0) this.inc({ reason }, delta);
        seenDropped.set(reason, total);
      }
    },
  });
  new Counter({
    name: 'micromesh_trace_spans_exported_total',
    help: 'Spans the exporter delivered to its target',
    registers: [registry],
    collect() {
      const delta = stats.exported - seenExported;
      if (delta > 0) this.inc(delta);
      seenExported = stats.exported;
    },
  });
}
