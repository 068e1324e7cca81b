import type { Metrics } from '@micromesh/kit';
import { Counter, Histogram } from 'prom-client';
import type { WriteObserver } from './domain/log-service';

/** Prometheus series for what the logger stored, on the service's own registry. */
export function writeMetrics(metrics: Metrics): WriteObserver {
  const entries = new Counter({
    name: 'logger_entries_total',
    help: 'Log entries received, by outcome (stored; duplicate of an already stored event_id; rejected by the contract or the store)',
    labelNames: ['outcome'] as const,
    registers: [metrics.registry],
  });
  const coalesced = new Histogram({
    name: 'logger_coalesced_insert_size',
    help: 'Single writes combined into one multi-row insert',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500],
    registers: [metrics.registry],
  });
  return {
    stored(written, duplicates) {
      if (written > 0) entries.inc({ outcome: 'stored' }, written);
      if (duplicates > 0) entries.inc({ outcome: 'duplicate' }, duplicates);
    },
    rejected(count) {
      entries.inc({ outcome: 'rejected' }, count);
    },
    coalesced(size) {
      coalesced.observe(size);
    },
  };
}
