import { createServer } from 'node:net';
import request from 'supertest';
import { eventSchema } from '@micromesh/contracts';
import {
  createTestVhost,
  infraEnv,
  startFreezableProxy,
  waitFor,
  type FreezableProxy,
  type TestVhost,
} from '@micromesh/kit/testing';
import {
  ADMIN,
  createUser,
  startAuthHarness,
  tokenFor,
  type AuthHarness,
} from './support/auth-harness';
import { aUser } from './support/factories';
import { rabbitInspector } from './support/rabbit-inspector';

const WAIT = { timeoutMs: 20_000, intervalMs: 200 };

async function metricValue(url: string, result: string): Promise<number> {
  const text = (await request(url).get('/metrics')).text;
  const match = new RegExp(`auth_login_events_total\\{result="${result}"[^}]*\\} (\\d+)`).exec(
    text,
  );
  return match ? Number(match[1]) : 0;
}

/** A port that was free a moment ago and has nothing listening: connections are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('POST /authenticate → authentication event', () => {
  describe('with RabbitMQ up', () => {
    let vhost: TestVhost;
    let h: AuthHarness;
    let rabbit: ReturnType<typeof rabbitInspector>;

    beforeAll(async () => {
      vhost = await createTestVhost('auth-events');
      rabbit = rabbitInspector(vhost);
      h = await startAuthHarness('auth_events', { AMQP_URL: vhost.url });
      await waitFor(() => rabbit.publisherReady(), { ...WAIT, what: 'auth publisher channel' });
    });
    afterAll(async () => {
      await h.close();
      await vhost.drop();
    });

    it('When a login succeeds and a queue is bound, then a persistent authentication event arrives naming the user by id only (no email, no IP)', async () => {
      await rabbit.bindQueue('auth-events-seen');
      const adminToken = await tokenFor(h.url, ADMIN);
      const user = aUser();
      const created = await createUser(h.url, adminToken, user);
      await rabbit.take('auth-events-seen', 50); // the admin's own login event

      const res = await request(h.url).post('/authenticate').send(user);

      expect(res.status).toBe(202);
      const [message] = await waitFor(
        async () => {
          const got = await rabbit.take('auth-events-seen');
          return got.length > 0 ? got : undefined;
        },
        { ...WAIT, what: 'the authentication event' },
      );
      const event = eventSchema.parse(JSON.parse(message!.payload));
      expect(event).toMatchObject({
        name: 'authentication',
        data: `user ${created.id} logged in`,
        level: 'INFO',
        service: 'auth',
        metadata: { user_id: created.id, role: 'user' },
      });
      expect(message!.payload).not.toContain(user.email);
      expect(Object.keys(event.metadata ?? {}).sort()).toEqual(['role', 'user_id']);
      expect(message!.routing_key).toBe('log.INFO');
      expect(message!.properties).toMatchObject({
        message_id: event.event_id,
        delivery_mode: 2,
        content_type: 'application/json',
      });
      await waitFor(async () => (await metricValue(h.url, 'published')) >= 2, WAIT);
    });

    it('When no queue is bound for log.INFO, then the login succeeds and the unroutable event is a logged warning', async () => {
      const isolated = await createTestVhost('auth-unbound');
      const unbound = rabbitInspector(isolated);
      const other = await startAuthHarness('auth_unbound', { AMQP_URL: isolated.url });
      try {
        await waitFor(() => unbound.publisherReady(), { ...WAIT, what: 'publisher channel' });

        const res = await request(other.url).post('/authenticate').send(ADMIN);

        expect(res.status).toBe(202);
        await waitFor(async () => (await metricValue(other.url, 'unroutable')) === 1, WAIT);
        const warning = other.logs.lines.find(
          (l) => l.msg === 'authentication event was not routed',
        );
        expect(warning).toMatchObject({ level: 'warn', reason: 'unroutable' });
      } finally {
        await other.close();
        await isolated.drop();
      }
    });

    it('When the RabbitMQ connection is dropped, then logins keep succeeding and events flow again after the reconnect', async () => {
      await rabbit.bindQueue('auth-events-reconnect');
      const [name] = await waitFor(async () => {
        const names = await rabbit.connectionNames();
        return names.length > 0 ? names : undefined;
      }, WAIT);

      await rabbit.closeConnection(name!);
      const during = await request(h.url).post('/authenticate').send(ADMIN);

      expect(during.status).toBe(202);
      await waitFor(
        async () => {
          await request(h.url).post('/authenticate').send(ADMIN).expect(202);
          return (await rabbit.take('auth-events-reconnect')).length > 0;
        },
        { ...WAIT, what: 'an event after the reconnect' },
      );
    });
  });

  describe('with RabbitMQ unreachable', () => {
    let h: AuthHarness;

    beforeAll(async () => {
      const port = await closedPort();
      h = await startAuthHarness('auth_norabbit', {
        AMQP_URL: `amqp://micromesh:nope@127.0.0.1:${port}/`,
      });
    });
    afterAll(() => h.close());

    it('When a user logs in, then 202 arrives well under a second and the failed event is counted', async () => {
      const started = performance.now();
      const res = await request(h.url).post('/authenticate').send(ADMIN);
      const elapsedMs = performance.now() - started;

      expect(res.status).toBe(202);
      expect(elapsedMs).toBeLessThan(1_000);
      await waitFor(async () => (await metricValue(h.url, 'unavailable')) === 1, WAIT);
      expect(h.logs.lines).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            msg: 'authentication event not published',
            reason: 'unavailable',
          }),
        ]),
      );
    });

    it('When RabbitMQ is down, then /readyz still reports ready', async () => {
      const res = await request(h.url).get('/readyz');

      expect(res.status).toBe(200);
    });
  });

  describe('with RabbitMQ hanging (connected, but no confirm ever comes)', () => {
    let vhost: TestVhost;
    let proxy: FreezableProxy;
    let h: AuthHarness;

    beforeAll(async () => {
      vhost = await createTestVhost('auth-hang');
      proxy = await startFreezableProxy(infraEnv().rabbit);
      const url = new URL(vhost.url);
      url.port = String(proxy.port);
      h = await startAuthHarness('auth_hang', { AMQP_URL: url.toString() });
      await waitFor(() => rabbitInspector(vhost).publisherReady(), { ...WAIT, what: 'publisher' });
    });
    afterAll(async () => {
      await proxy.close();
      await h.close();
      await vhost.drop();
    });

    it('When a user logs in, then 202 comes long before the 5 s publish timeout, which is counted later', async () => {
      proxy.freeze();

      const started = performance.now();
      const res = await request(h.url).post('/authenticate').send(ADMIN);
      const elapsedMs = performance.now() - started;

      expect(res.status).toBe(202);
      expect(elapsedMs).toBeLessThan(2_500);
      await waitFor(async () => (await metricValue(h.url, 'timeout')) === 1, WAIT);
    });
  });
});
