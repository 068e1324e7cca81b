import type { Metrics } from '@micromesh/kit';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { WriteObserver } from './domain/log-service';
import type { TailObserver } from './domain/tail-hub';

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

/** Prometheus series of the live tail: streams open, ended by the logger (why), refused as full. */
export function tailMetrics(metrics: Metrics, size: () => number): TailObserver {
  new Gauge({
    name: 'logger_tail_streams',
    help: 'Live-tail streams this logger serves now',
    registers: [metrics.registry],
    collect() {
      this.set(size());
    },
  });
  const ended = new Counter({
    name: 'logger_tail_streams_ended_total',
    help: 'Live-tail streams the logger ended, by reason (slow consumer: the client left LOG_TAIL_MAX_BUFFER_BYTES unread; logger shutting down)',
    labelNames: ['reason'] as const,
    registers: [metrics.registry],
  });
  const refused = new Counter({
    name: 'logger_tail_streams_refused_total',
    help: 'Live-tail streams refused (503) because LOG_TAIL_MAX_SUBSCRIBERS were open',
    registers: [metrics.registry],
  });
  return {
    ended: (reason) => ended.inc({ reason }),
    refused: () => refused.inc(),
  };
}
