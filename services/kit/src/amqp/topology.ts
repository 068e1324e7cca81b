/**
 * The RabbitMQ names every service agrees on. Declaring is idempotent, so each side (publisher,
 * consumer) declares what it relies on, and re-declares after every reconnect.
 */
export const LOGS_EXCHANGE = 'logs_topic';
export const LOGS_EXCHANGE_TYPE = 'topic';

/** Levels and their routing keys (`log.<LEVEL>`) belong to @micromesh/contracts: LEVELS, routingKeyFor. */

/** The listener's durable queue and its dead-letter pair. */
export const LISTENER_QUEUE = 'logs.listener';
export const DEAD_LETTER_EXCHANGE = 'logs_topic.dlx';
export const DEAD_LETTER_QUEUE = 'logs.listener.dead';

/**
 * Headers a dead letter carries when the listener dead-letters it itself (republished to the
 * dead-letter exchange, then acked): why, the refusing party's own words, when, and after how many
 * attempts. A message RabbitMQ dead-letters on its own (delivery limit, a plain reject) has only
 * RabbitMQ's `x-death` header, whose `reason` then stands in.
 */
export const DEAD_LETTER_HEADERS = {
  reason: 'x-death-reason',
  detail: 'x-death-detail',
  at: 'x-dead-lettered-at',
  attempts: 'x-death-attempts',
} as const;

/**
 * Why the mesh dead-letters a message (the `x-death-reason` header and the `reason` label of
 * `micromesh_dead_letters_total`): not JSON; JSON but not a valid event; the store refused it;
 * it failed with an unexpected error on every attempt.
 */
export const DEAD_LETTER_REASONS = [
  'malformed',
  'invalid',
  'refused',
  'retries_exhausted',
] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];
