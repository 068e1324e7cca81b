import request from 'supertest';
import {
  ConfigError,
  DEAD_LETTER_EXCHANGE,
  DEAD_LETTER_QUEUE,
  LISTENER_QUEUE,
  LOGS_EXCHANGE,
} from '@micromesh/kit';
import {
  captureLogs,
  createTestVhost,
  freePort,
  waitFor,
  type TestVhost,
} from '@micromesh/kit/testing';
import { startListener } from '../src/app';
import { loadListenerConfig } from '../src/config';

type Listener = Awaited<ReturnType<typeof startListener>>;

/** The listener in-process; the logger address points at a port nothing listens on. */
async function aListener(amqpUrl: string): Promise<Listener> {
  const { logger } = captureLogs('listener', 'silent');
  const config = loadListenerConfig({
    PORT: '0',
    AMQP_URL: amqpUrl,
    LOGGER_GRPC_ADDRESS: `127.0.0.1:${await freePort()}`,
  });
  return startListener(config, { logger });
}

async function management(vhost: TestVhost, path: string): Promise<unknown> {
  const res = await fetch(`${vhost.managementUrl}${path}`, {
    headers: { authorization: vhost.authHeader },
  });
  return res.json();
}

describe('listener health and topology', () => {
  let vhost: TestVhost;
  let listener: Listener;

  beforeAll(async () => {
    vhost = await createTestVhost('listener-health');
    listener = await aListener(vhost.url);
  });
  afterAll(async () => {
    await listener?.stop();
    await vhost?.drop();
  });

  it('When RabbitMQ is reachable, then /livez and /readyz answer 200', async () => {
    const http = request(listener.address.url);

    await waitFor(async () => (await http.get('/readyz')).status === 200, {
      timeoutMs: 15_000,
      what: 'readiness',
    });

    expect((await http.get('/livez')).status).toBe(200);
  });

  it('When connected, then the queue is a durable quorum queue bound to every level that dead-letters into the dead-letter queue', async () => {
    const vh = encodeURIComponent(vhost.name);
    await waitFor(async () => (await request(listener.address.url).get('/readyz')).ok, {
      timeoutMs: 15_000,
      what: 'readiness',
    });

    const queue = (await management(vhost, `/queues/${vh}/${LISTENER_QUEUE}`)) as {
      durable: boolean;
      type: string;
      arguments: Record<string, unknown>;
    };
    const bindings = (await management(
      vhost,
      `/exchanges/${vh}/${LOGS_EXCHANGE}/bindings/source`,
    )) as { destination: string; routing_key: string }[];
    const deadLetterBindings = (await management(
      vhost,
      `/exchanges/${vh}/${encodeURIComponent(DEAD_LETTER_EXCHANGE)}/bindings/source`,
    )) as { destination: string }[];

    expect(queue).toMatchObject({
      durable: true,
      type: 'quorum',
      arguments: { 'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE },
    });
    expect(
      bindings
        .filter((b) => b.destination === LISTENER_QUEUE)
        .map((b) => b.routing_key)
        .sort(),
    ).toEqual(['log.DEBUG', 'log.ERROR', 'log.FATAL', 'log.INFO', 'log.WARNING']);
    expect(deadLetterBindings.map((b) => b.destination)).toEqual([DEAD_LETTER_QUEUE]);
  });

  it('When /metrics is read, then it exposes consumed, acked, dead-lettered, dead-letter queue depth, batch size and forward latency', async () => {
    const res = await request(listener.address.url).get('/metrics');

    expect(res.status).toBe(200);
    expect(res.text).toMatch(/^micromesh_dead_letter_queue_depth\{service="listener"\} 0$/m);
    for (const series of [
      'listener_events_consumed_total',
      'listener_events_acked_total',
      'micromesh_dead_letters_total',
      'micromesh_dead_letter_queue_depth',
      'listener_batch_size',
      'listener_forward_duration_seconds',
    ]) {
      expect(res.text).toContain(`# TYPE ${series} `);
    }
  });
});

describe('listener without RabbitMQ', () => {
  it('When RabbitMQ cannot be reached, then /livez answers 200 and /readyz 503 naming rabbitmq', async () => {
    const listener = await aListener(`amqp://guest:guest@127.0.0.1:${await freePort()}`);
    try {
      const http = request(listener.address.url);

      const ready = await http.get('/readyz');

      expect((await http.get('/livez')).status).toBe(200);
      expect(ready.status).toBe(503);
      expect(JSON.stringify(ready.body)).toContain('rabbitmq');
    } finally {
      await listener.stop();
    }
  });
});

describe('listener configuration', () => {
  it('When AMQP_URL or LOGGER_GRPC_ADDRESS is missing, then start-up fails naming them', () => {
    const attempt = () => loadListenerConfig({ PORT: '0' });

    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/AMQP_URL.*LOGGER_GRPC_ADDRESS/);
  });
});
