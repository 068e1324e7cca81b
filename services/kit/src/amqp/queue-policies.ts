import { DEAD_LETTER_EXCHANGE, LISTENER_QUEUE } from './topology';

/** A RabbitMQ policy as the management API takes it (`PUT /api/policies/{vhost}/{name}`). */
export interface QueuePolicy {
  name: string;
  pattern: string;
  'apply-to': 'queues';
  priority: number;
  definition: Record<string, string | number>;
}

/**
 * How many times RabbitMQ may hand out one message of the listener's queue without a settle (the
 * listener crashing or losing its channel on it every time) before it dead-letters it.
 */
export const LISTENER_DELIVERY_LIMIT = 100;

/**
 * What the mesh sets on RabbitMQ by policy rather than by queue argument: a changed queue argument
 * fails the next declaration with PRECONDITION_FAILED, a policy can change at any time.
 *
 * `micromesh-listener`: the listener queue's delivery limit and dead-letter exchange. On RabbitMQ
 * 4.x it replaces a quorum queue's built-in limit of 20 (which a long series of restarts could
 * reach with valid events) and, with the dead-letter exchange, turns "dropped at the limit" into
 * "dead-lettered, counted and replayable"; on 3.x a quorum queue has no limit without it.
 * `apply-to: queues` because RabbitMQ 3.10 refuses `quorum_queues`.
 *
 * Applied by the provisioning job (provision-users-cli: scripts/up, scripts/test, compose, the k8s
 * dev overlay); in production the RabbitMQ topology operator's Policy resource carries the same
 * definition (k8s/components/operator-stores/rabbitmq-policies.yaml, checked against this table).
 */
export const QUEUE_POLICIES: readonly QueuePolicy[] = [
  {
    name: 'micromesh-listener',
    pattern: `^${LISTENER_QUEUE.replace(/\./g, '\\.')}$`,
    'apply-to': 'queues',
    priority: 10,
    definition: {
      'delivery-limit': LISTENER_DELIVERY_LIMIT,
      'dead-letter-exchange': DEAD_LETTER_EXCHANGE,
    },
  },
];
