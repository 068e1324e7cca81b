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

/** A dead letter's headers and reasons belong to @micromesh/contracts: DEAD_LETTER_HEADERS, DEAD_LETTER_REASONS. */
