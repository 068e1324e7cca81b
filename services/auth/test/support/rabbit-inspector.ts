import type { TestVhost } from '@micromesh/kit/testing';
import { LOGS_EXCHANGE } from '@micromesh/kit';

export interface PeekedMessage {
  payload: string;
  routing_key: string;
  properties: {
    message_id?: string;
    delivery_mode?: number;
    content_type?: string;
    headers?: Record<string, unknown>;
  };
}

/** Looks at a test vhost through RabbitMQ's management API (no AMQP client needed). */
export function rabbitInspector(vhost: TestVhost) {
  const v = encodeURIComponent(vhost.name);
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${vhost.managementUrl}${path}`, {
      method,
      headers: { authorization: vhost.authHeader, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`management ${method} ${path} → ${res.status}`);
    const text = await res.text();
    return text ? (JSON.parse(text) as unknown) : undefined;
  };
  return {
    /** A durable queue bound to logs_topic for `bindingKey` (declares the exchange if needed). */
    async bindQueue(queue: string, bindingKey = 'log.#'): Promise<void> {
      await call('PUT', `/exchanges/${v}/${LOGS_EXCHANGE}`, { type: 'topic', durable: true });
      await call('PUT', `/queues/${v}/${encodeURIComponent(queue)}`, { durable: true });
      await call('POST', `/bindings/${v}/e/${LOGS_EXCHANGE}/q/${encodeURIComponent(queue)}`, {
        routing_key: bindingKey,
      });
    },
    /** Takes up to `count` messages off the queue. */
    async take(queue: string, count = 10): Promise<PeekedMessage[]> {
      return (await call('POST', `/queues/${v}/${encodeURIComponent(queue)}/get`, {
        count,
        ackmode: 'ack_requeue_false',
        encoding: 'auto',
      })) as PeekedMessage[];
    },
    /** True once a client connection and its channel are open in the vhost. */
    async publisherReady(): Promise<boolean> {
      const channels = (await call('GET', `/vhosts/${v}/channels`)) as unknown[];
      const exchange = await call('GET', `/exchanges/${v}/${LOGS_EXCHANGE}`).catch(() => undefined);
      return channels.length > 0 && exchange !== undefined;
    },
    async connectionNames(): Promise<string[]> {
      const all = (await call('GET', `/vhosts/${v}/connections`)) as { name: string }[];
      return all.map((c) => c.name);
    },
    async closeConnection(name: string): Promise<void> {
      await call('DELETE', `/connections/${encodeURIComponent(name)}`);
    },
  };
}
