import { createNoopMeter, type Meter, type MeterProvider } from '@opentelemetry/api';

/**
 * What the span pipeline did, for /metrics. The SDK is started by the `--require`d bootstrap and
 * the metrics registry by the app; in a production bundle they can be two copies of this module,
 * so the numbers live on one process-wide object.
 */
export interface TracingStats {
  /** Spans handed to the exporter and accepted by the target. */
  exported: number;
  /** Spans given up, by reason: `queue_full` (target slow or down) or `export_failed`. */
  dropped: Map<string, number>;
  /** The bootstrap ran and spans are being recorded. */
  active: boolean;
  /** Flushes what is queued; bounded by the exporter's timeout. Set by the bootstrap. */
  flush?: () => Promise<void>;
}

const KEY = Symbol.for('micromesh.tracing.stats');

export function tracingStats(): TracingStats {
  const holder = globalThis as { [KEY]?: TracingStats };
  holder[KEY] ??= { exported: 0, dropped: new Map(), active: false };
  return holder[KEY];
}

/** The SDK's processor reports `otel.sdk.processor.span.processed` with an error.type when it gave up. */
const PROCESSED = 'otel.sdk.processor.span.processed';

/**
 * A MeterProvider for the SDK's self-observability that keeps only the span processor's
 * processed/dropped counts (everything else is a no-op): no OpenTelemetry metrics pipeline is
 * needed to put "spans dropped" on the service's Prometheus page.
 */
export function statsMeterProvider(stats: TracingStats): MeterProvider {
  const noop = createNoopMeter();
  const meter: Meter = {
    createGauge: (...args) => noop.createGauge(...args),
    createHistogram: (...args) => noop.createHistogram(...args),
    createUpDownCounter: (...args) => noop.createUpDownCounter(...args),
    createObservableGauge: (...args) => noop.createObservableGauge(...args),
    createObservableCounter: (...args) => noop.createObservableCounter(...args),
    createObservableUpDownCounter: (...args) => noop.createObservableUpDownCounter(...args),
    addBatchObservableCallback: (...args) => noop.addBatchObservableCallback(...args),
    removeBatchObservableCallback: (...args) => noop.removeBatchObservableCallback(...args),
    createCounter: (name, options) => {
      if (name !== PROCESSED) return noop.createCounter(name, options);
      return {
        add(value, attributes) {
          const reason = attributes?.['error.type'];
          if (reason === undefined) {
            stats.exported += value;
            return;
          }
          // The SDK names the export error's class (often just "Error"): one reason for all.
          const key = reason === 'queue_full' ? 'queue_full' : 'export_failed';
          stats.dropped.set(key, (stats.dropped.get(key) ?? 0) + value);
        },
      };
    },
  };
  return { getMeter: () => meter };
}
