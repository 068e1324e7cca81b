/**
 * Why a publish was not confirmed. Every one of them means "RabbitMQ did not take responsibility
 * for the message", so an HTTP caller answers 503 and never 2xx.
 * - unavailable: no connection/channel, the channel or connection died before the confirm, or
 *   RabbitMQ is blocking publishers (resource alarm)
 * - timeout: no confirm within publishTimeoutMs (the message may still arrive)
 * - unroutable: returned by the broker (mandatory): no queue is bound for its routing key
 * - overloaded: maxInFlight publishes are already waiting for their confirm
 * - nacked: RabbitMQ refused the message (basic.nack)
 */
export type PublishFailure = 'unavailable' | 'timeout' | 'unroutable' | 'overloaded' | 'nacked';

export class PublishError extends Error {
  override readonly name = 'PublishError';

  constructor(
    readonly reason: PublishFailure,
    message: string = defaultMessages[reason],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const defaultMessages: Record<PublishFailure, string> = {
  unavailable: 'RabbitMQ is unavailable',
  timeout: 'RabbitMQ did not confirm the message in time',
  unroutable: 'no queue is bound for the message (returned by RabbitMQ)',
  overloaded: 'too many messages waiting for a RabbitMQ confirm',
  nacked: 'RabbitMQ refused the message',
};

export function isPublishError(err: unknown): err is PublishError {
  return err instanceof PublishError;
}
