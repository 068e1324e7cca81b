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

/** One message of the dead-letter queue as an admin sees it (an item of GET /api/dead-letters). */
export interface DeadLetter {
  /** Stable while the message sits in the queue (a digest of the message, not a position). */
  id: string;
  /**
   * A DeadLetterReason (the listener's), or RabbitMQ's own x-death reason (delivery_limit,
   * rejected, expired); `unknown` when neither says.
   */
  reason: string;
  /** The refusing party's own words, when the listener recorded them. */
  detail: string | null;
  routing_key: string;
  message_id: string | null;
  dead_lettered_at: string | null;
  attempts: number | null;
  /** The start of the body as text (a bounded preview, not the whole body). */
  preview: string;
}

/** GET /api/dead-letters' data. */
export interface DeadLetterPage {
  /** Messages in the dead-letter queue now (all of them, not only the listed ones). */
  count: number;
  /** The oldest dead letters, oldest first, at most the requested limit. */
  items: DeadLetter[];
}
