import type { Metrics } from '@micromesh/kit';
import { Gauge, Histogram } from 'prom-client';

export interface BrokerMetrics {
  /** Entries per gRPC WriteLogs call: how well concurrent `log` actions coalesce. */
  logBatchSize: Histogram;
  /** 1 while a downstream's circuit is open (answered 503 without being called). */
  circuitOpen: Gauge<'downstream'>;
}

export function createBrokerMetrics(metrics: Metrics): BrokerMetrics {
  return {
    logBatchSize: new Histogram({
      name: 'broker_log_batch_size',
      help: 'Log entries sent per gRPC WriteLogs call',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250],
      registers: [metrics.registry],
    }),
    circuitOpen: new Gauge({
      name: 'broker_circuit_open',
      help: '1 while the circuit breaker of a downstream service is open',
      labelNames: ['downstream'] as const,
      registers: [metrics.registry],
    }),
  };
}
