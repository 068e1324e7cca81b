import { randomBytes } from 'node:crypto';
import { infraEnv } from './infra-env';

export interface TestVhost {
  name: string;
  /** amqp:// URL of the vhost for the configured user. */
  url: string;
  /** Management HTTP API base, for inspecting queues in assertions. */
  managementUrl: string;
  authHeader: string;
  /** Messages currently in a queue of this vhost (ready + unacked). */
  queueDepth(queue: string): Promise<number>;
  drop(): Promise<void>;
}

/**
 * A fresh RabbitMQ virtual host on the real broker, created through the management API, so suites
 * that publish to `logs_topic` never see each other's messages.
 */
export async function createTestVhost(prefix = 'test'): Promise<TestVhost> {
  const { rabbit } = infraEnv();
  const name = `${prefix}-${randomBytes(5).toString('hex')}`;
  const managementUrl = `http://${rabbit.host}:${rabbit.managementPort}/api`;
  const authHeader = `Basic ${Buffer.from(`${rabbit.user}:${rabbit.password}`).toString('base64')}`;
  const vhost = encodeURIComponent(name);
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${managementUrl}${path}`, {
      method,
      headers: { authorization: authHeader, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok && !(method === 'DELETE' && res.status === 404)) {
      throw new Error(`RabbitMQ management ${method} ${path} → ${res.status} ${await res.text()}`);
    }
    return res;
  };
  await call('PUT', `/vhosts/${vhost}`, {});
  await call('PUT', `/permissions/${vhost}/${encodeURIComponent(rabbit.user)}`, {
    configure: '.*',
    write: '.*',
    read: '.*',
  });
  const auth = `${encodeURIComponent(rabbit.user)}:${encodeURIComponent(rabbit.password)}`;
  return {
    name,
    url: `amqp://${auth}@${rabbit.host}:${rabbit.port}/${vhost}`,
    managementUrl,
    authHeader,
    async queueDepth(queue) {
      const res = await call('GET', `/queues/${vhost}/${encodeURIComponent(queue)}`);
      const body = (await res.json()) as { messages?: number };
      return body.messages ?? 0;
    },
    async drop() {
      await call('DELETE', `/vhosts/${vhost}`);
    },
  };
}
