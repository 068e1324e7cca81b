import type { LogEvent } from '@micromesh/contracts';
import { AppError, isPublishError, type EventPublisher } from '@micromesh/kit';

const REASONS = {
  unavailable: 'RabbitMQ unavailable',
  timeout: 'RabbitMQ did not confirm the event in time',
  unroutable: 'event not routable: no queue is bound for its routing key',
  overloaded: 'too many events waiting for a RabbitMQ confirm',
  nacked: 'RabbitMQ refused the event',
} as const;

/**
 * Publishes through the kit's confirm-channel publisher. Every failure means RabbitMQ did not take
 * responsibility for the event, so the caller gets a 503 naming why, never a 202.
 */
export async function publishConfirmed(publisher: EventPublisher, event: LogEvent): Promise<void> {
  try {
    await publisher.publish(event);
  } catch (err) {
    if (isPublishError(err)) throw AppError.unavailable(REASONS[err.reason], err);
    throw err;
  }
}
