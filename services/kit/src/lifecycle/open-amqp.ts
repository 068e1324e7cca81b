import { AmqpConnection } from '../amqp/amqp-connection';
import { EventPublisher, type EventPublisherOptions } from '../amqp/event-publisher';
import { settleWithin } from '../amqp/settle-within';
import type { BaseConfig, ServiceContext } from './service-context';

export interface OpenAmqpOptions {
  url: string;
  /** The connection's name in logs and in RabbitMQ. */
  name: string;
  /** Registers what the publisher relies on (exchanges, queues) before the publisher's own setup. */
  topology?: (connection: AmqpConnection) => void;
  publisher?: Omit<EventPublisherOptions, 'connection'>;
  /**
   * Longest wait for each close at shutdown: a close handshake with a RabbitMQ that stopped
   * answering must not stall it. Default 6 000 ms.
   */
  closeWithinMs?: number;
}

export interface OpenedAmqp {
  connection: AmqpConnection;
  publisher: EventPublisher;
}

/**
 * A service's RabbitMQ: a self-healing connection and a confirmed publisher, both closed (bounded)
 * at shutdown, the publisher before the connection. The connection is not started: register the
 * consumers (and their closes, which then run before the publisher's) and call `start()`.
 */
export function openAmqp<C extends BaseConfig>(
  ctx: ServiceContext<C>,
  options: OpenAmqpOptions,
): OpenedAmqp {
  const { logger, lifecycle } = ctx;
  const connection = new AmqpConnection({ url: options.url, logger, name: options.name });
  options.topology?.(connection);
  const publisher = new EventPublisher({ ...options.publisher, connection });
  const timeoutMs = options.closeWithinMs ?? 6_000;
  const within = async (resource: string, closing: Promise<void>): Promise<void> => {
    if (!(await settleWithin(closing, timeoutMs))) {
      logger.warn({ resource, timeoutMs }, 'close did not finish in time; moving on');
    }
  };
  lifecycle.onShutdown('amqp', () => within('amqp', connection.close()));
  lifecycle.onShutdown('amqp-publisher', () => within('amqp-publisher', publisher.close()));
  return { connection, publisher };
}
