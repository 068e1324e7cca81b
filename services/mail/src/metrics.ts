import type { Metrics } from '@micromesh/kit';
import { Counter, Gauge } from 'prom-client';
import type { DeliveryOutcome } from './domain/deliver-message';

/** Delivery attempts by outcome: sent, queued (will retry), failed (given up). */
export function deliveryCounter(metrics: Metrics): (outcome: DeliveryOutcome) => void {
  const counter = new Counter({
    name: 'mail_delivery_attempts_total',
    help: 'SMTP delivery attempts by outcome',
    labelNames: ['outcome'] as const,
    registers: [metrics.registry],
  });
  return (outcome) => counter.inc({ outcome });
}

/** 1/0 gauges an alert can watch: a replica that stopped consuming, deliveries held back. */
export function deliveryStateGauges(
  metrics: Metrics,
  state: { consuming: () => boolean; paused: () => boolean },
): void {
  new Gauge({
    name: 'mail_outbox_consuming',
    help: '1 while this replica consumes the outbox queue, 0 while its consumer is being replaced',
    registers: [metrics.registry],
    collect() {
      this.set(state.consuming() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'mail_deliveries_paused',
    help: '1 while deliveries wait: SMTP unreachable, or it refused our set-up (see /readyz)',
    registers: [metrics.registry],
    collect() {
      this.set(state.paused() ? 1 : 0);
    },
  });
}
