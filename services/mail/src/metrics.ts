import type { Metrics } from '@micromesh/kit';
import { Counter } from 'prom-client';
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
