import { LOGS_EXCHANGE } from '@micromesh/kit';
import type { TestVhost } from '@micromesh/kit/testing';

export interface QueuedMessage {
  routing_key: string;
  payload: string;
  properties: { message_id?: string; delivery_mode?: number; content_type?: string };
}

/**
 * A queue bound to `logs_topic` in the suite's vhost, set up and read through RabbitMQ's
 * management API (the same view an operator has), so the test sees exactly what was published.
 */
export async function bindTestQueue(
  vhost: TestVhost,
  queue: string,
  routingKeys: string[],
): Promise<{ take(count: number): Promise<QueuedMessage[]> }> {
  const v = encodeURIComponent(vhost.name);
  const call = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${vhost.managementUrl}${path}`, {
      method,
      headers: { authorization: vhost.authHeader, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok)
      throw new Error(`management ${method} ${path} → ${res.status} ${await res.text()}`);
    return res;
  };
  await call('PUT', `/exchanges/${v}/${LOGS_EXCHANGE}`, { type: 'topic', durable: true });
  await call('PUT', `/queues/${v}/${queue}`, { durable: true });
  for (const key of routingKeys) {
    await call('POST', `/bindings/${v}/e/${LOGS_EXCHANGE}/q/${queue}`, { routing_key: key });
  }
  return {
    async take(count) {
      const res = await call('POST', `/queues/${v}/${queue}/get`, {
        count,
        ackmode: 'ack_requeue_false',
        encoding: 'auto',
      });
      // Auth shares the vhost (for its revocation notices), so its login events land here too;
      // they are not what these suites look at.
      return ((await res.json()) as QueuedMessage[]).filter(
        (m) =>
          !(
            m.payload.includes('"name":"authentication"') && m.payload.includes('"service":"auth"')
          ),
      );
    },
  };
}
