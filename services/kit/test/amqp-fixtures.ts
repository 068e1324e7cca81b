import { randomUUID } from 'node:crypto';
import amqp, { type Channel, type ChannelModel, type GetMessage } from 'amqplib';
import { createEvent, type LogEvent, type NewEvent } from '@micromesh/contracts';
import {
  AmqpConnection,
  EventPublisher,
  LOGS_EXCHANGE,
  type EventPublisherOptions,
} from '@micromesh/kit';
import { captureLogs, waitFor, type CapturedLogs, type TestVhost } from '@micromesh/kit/testing';

export function anEvent(overrides: Partial<NewEvent> = {}): LogEvent {
  return createEvent({
    name: 'user.signed_in',
    data: `someone signed in ${randomUUID()}`,
    service: 'kit-test',
    ...overrides,
  });
}

export interface Publishing {
  connection: AmqpConnection;
  publisher: EventPublisher;
  logs: CapturedLogs;
  name: string;
  stop(): Promise<void>;
}

/** A started connection + publisher on the vhost, named uniquely so the management API finds it. */
export async function startPublishing(
  url: string,
  options: Partial<Omit<EventPublisherOptions, 'connection'>> = {},
  connect = true,
): Promise<Publishing> {
  const logs = captureLogs('kit-test', 'debug');
  const name = `kit-test-${randomUUID().slice(0, 8)}`;
  const connection = new AmqpConnection({
    url,
    logger: logs.logger,
    name,
    reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
  });
  const publisher = new EventPublisher({ connection, ...options });
  connection.start();
  if (connect) await connection.waitUntilConnected(15_000);
  return {
    connection,
    publisher,
    logs,
    name,
    async stop() {
      await publisher.close();
      await connection.close();
    },
  };
}

/** A plain amqplib client that owns a queue bound to the exchange, to read what was published. */
export interface QueueReader {
  queue: string;
  channel: Channel;
  /** Takes (and acks) every message currently in the queue. */
  drain(): Promise<GetMessage[]>;
  close(): Promise<void>;
}

export async function bindQueue(
  url: string,
  bindingKey = 'log.#',
  queueArguments: Record<string, unknown> = {},
  exchange = LOGS_EXCHANGE,
): Promise<QueueReader> {
  const model: ChannelModel = await amqp.connect(url);
  const channel = await model.createChannel();
  await channel.assertExchange(exchange, 'topic', { durable: true });
  // Exclusive: the queue goes away with the reader, so later tests see their own routing only.
  const { queue } = await channel.assertQueue(`reader-${randomUUID().slice(0, 8)}`, {
    exclusive: true,
    arguments: queueArguments,
  });
  await channel.bindQueue(queue, exchange, bindingKey);
  return {
    queue,
    channel,
    async drain() {
      const messages: GetMessage[] = [];
      for (;;) {
        const message = await channel.get(queue, { noAck: true });
        if (!message) return messages;
        messages.push(message);
      }
    },
    async close() {
      await model.close().catch(() => undefined);
    },
  };
}

/** The management API, with the vhost's credentials. */
export async function management(
  vhost: TestVhost,
  method: string,
  path: string,
): Promise<Response> {
  const res = await fetch(`${vhost.managementUrl}${path}`, {
    method,
    headers: { authorization: vhost.authHeader },
  });
  if (!res.ok && res.status !== 404) {
    throw new Error(`management ${method} ${path} → ${res.status} ${await res.text()}`);
  }
  return res;
}

interface ConnectionInfo {
  name: string;
  vhost: string;
  client_properties?: { connection_name?: string };
}

/** The vhost's open connections with this client-provided name, as the broker lists them. */
export async function connectionsNamed(
  vhost: TestVhost,
  connectionName: string,
): Promise<ConnectionInfo[]> {
  const path = `/vhosts/${encodeURIComponent(vhost.name)}/connections`;
  const list = (await (await management(vhost, 'GET', path)).json()) as ConnectionInfo[];
  return list.filter((c) => c.client_properties?.connection_name === connectionName);
}

/** The broker's name for a client connection; the management API lists it with a delay. */
export async function findConnection(vhost: TestVhost, connectionName: string): Promise<string> {
  const found = await waitFor(async () => (await connectionsNamed(vhost, connectionName))[0], {
    timeoutMs: 20_000,
    intervalMs: 200,
    what: `connection ${connectionName} in the management API`,
  });
  return found.name;
}

/** Closes a client's connection from the broker side, as a broker restart or network drop would. */
export async function dropConnection(vhost: TestVhost, connectionName: string): Promise<void> {
  const brokerName = await findConnection(vhost, connectionName);
  await management(vhost, 'DELETE', `/connections/${encodeURIComponent(brokerName)}`);
}

export async function exchangeExists(vhost: TestVhost, exchange: string): Promise<boolean> {
  const path = `/exchanges/${encodeURIComponent(vhost.name)}/${encodeURIComponent(exchange)}`;
  return (await management(vhost, 'GET', path)).status === 200;
}

export async function deleteExchange(vhost: TestVhost, exchange: string): Promise<void> {
  const path = `/exchanges/${encodeURIComponent(vhost.name)}/${encodeURIComponent(exchange)}`;
  await management(vhost, 'DELETE', path);
}

/** A settled promise's outcome, for asserting on many publishes at once. */
export async function outcomeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'confirmed';
  } catch (err) {
    return (err as { reason?: string }).reason ?? `error: ${(err as Error).message}`;
  }
}
