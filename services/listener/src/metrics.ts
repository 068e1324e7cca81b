import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface ListenerMetrics {
  consumed: Counter;
  acked: Counter;
  deadLettered: Counter<'reason'>;
  deadLetterDepth: Gauge;
  redelivered: Counter;
  batchSize: Histogram;
  forwardDuration: Histogram;
  forwardRetries: Counter;
  forwardingBlocked: Gauge;
  heldBytes: Gauge;
  returned: Counter;
  consumingPaused: Gauge;
}

/**
 * The listener's own series, on the service's registry (served at /metrics). `deadLetterDepth`
 * reads the dead-letter queue's depth at scrape time (undefined: unknown now, the last value stays).
 */
export function createListenerMetrics(
  registry: Registry,
  deadLetterDepth: () => Promise<number | undefined>,
): ListenerMetrics {
  const registers = [registry];
  return {
    consumed: new Counter({
      name: 'listener_events_consumed_total',
      help: 'Messages received from the listener queue (redeliveries included)',
      registers,
    }),
    acked: new Counter({
      name: 'listener_events_acked_total',
      help: 'Messages acknowledged after the logger stored them',
      registers,
    }),
    deadLettered: new Counter({
      name: 'micromesh_dead_letters_total',
      help: 'Messages the listener sent to the dead-letter queue, by reason (malformed: not JSON; invalid: not a valid event; refused: the logger refused it; retries_exhausted: failed with an unexpected error on every attempt)',
      labelNames: ['reason'] as const,
      registers,
    }),
    deadLetterDepth: new Gauge({
      name: 'micromesh_dead_letter_queue_depth',
      help: 'Messages waiting in the dead-letter queue (logs.listener.dead), read at scrape time',
      registers,
      async collect() {
        const depth = await deadLetterDepth().catch(() => undefined);
        if (depth !== undefined) this.set(depth);
      },
    }),
    redelivered: new Counter({
      name: 'listener_events_redelivered_total',
      help: 'Messages RabbitMQ delivered again (after a crash, reconnect or channel loss)',
      registers,
    }),
    batchSize: new Histogram({
      name: 'listener_batch_size',
      help: 'Events per WriteLogs call that the logger stored',
      buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000],
      registers,
    }),
    forwardDuration: new Histogram({
      name: 'listener_forward_duration_seconds',
      help: 'Duration of a successful WriteLogs call',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    forwardRetries: new Counter({
      name: 'listener_forward_retries_total',
      help: 'WriteLogs attempts that failed transiently and were retried after a backoff',
      registers,
    }),
    forwardingBlocked: new Gauge({
      name: 'listener_forwarding_blocked',
      help: '1 while a batch is held because the logger cannot store it',
      registers,
    }),
    heldBytes: new Gauge({
      name: 'listener_window_bytes',
      help: 'Bytes of message bodies taken and not yet settled (bounded by LISTENER_MAX_INFLIGHT_BYTES)',
      registers,
    }),
    returned: new Counter({
      name: 'listener_deliveries_returned_total',
      help: 'Deliveries given back to the queue at once because the byte window was full',
      registers,
    }),
    consumingPaused: new Gauge({
      name: 'listener_consuming_paused',
      help: '1 while no deliveries are taken (the byte window is full, or its consumer is being resized)',
      registers,
    }),
  };
}
