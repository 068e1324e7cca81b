import type { StartedHttpService } from '@micromesh/kit';
import { waitFor } from '@micromesh/kit/testing';
import request from 'supertest';
import { bindTestQueue } from './support/event-queue';
import { aLog, anEventPayload } from './support/factories';
import { specViolations } from './support/openapi-check';
import { TestMesh, type MeshUser } from './support/test-mesh';

const LOGGER_DEADLINE_MS = 3_000;
const AUTH_DEADLINE_MS = 3_000;

describe('broker: a downstream goes away', () => {
  let mesh: TestMesh;
  let broker: StartedHttpService;
  let user: MeshUser;
  let reader: MeshUser;

  beforeAll(async () => {
    mesh = await TestMesh.start();
    await bindTestQueue(mesh.vhost, 'broker-resilience-events', ['log.#']);
    broker = await mesh.startBroker({
      LOGGER_TIMEOUT_MS: String(LOGGER_DEADLINE_MS),
      AUTH_TIMEOUT_MS: String(AUTH_DEADLINE_MS),
      BREAKER_FAILURES: '3',
      BREAKER_HALF_OPEN_MS: '300',
    });
    [user, reader] = await Promise.all([mesh.createUser('user'), mesh.createUser('admin')]);
  }, 120_000);
  afterAll(() => mesh?.close());

  const act = (body: object) =>
    request(broker.address.url)
      .post('/handle')
      .set('authorization', `Bearer ${user.token}`)
      .send(body);
  const timed = async (body: object) => {
    const started = performance.now();
    const res = await act(body);
    return { res, ms: performance.now() - started };
  };

  describe('POST /handle — logger stopped', () => {
    afterAll(async () => {
      // Brings it back if a failed test left it stopped (restart refuses a running process).
      await mesh?.logger?.restart().catch(() => undefined);
    });

    it('When the logger is stopped, then log and log queries answer 503 well under the deadline while event and auth still work', async () => {
      await mesh.logger!.stop();

      const attempts = [];
      for (let i = 0; i < 5; i++) attempts.push(await timed({ action: 'log', log: aLog() }));
      const query = await request(broker.address.url)
        .get('/api/logs')
        .set('authorization', `Bearer ${reader.token}`);
      const event = await act({ action: 'event', event: anEventPayload() });
      const login = await request(broker.address.url)
        .post('/handle')
        .send({ action: 'auth', auth: { email: user.email, password: user.password } });

      for (const { res, ms } of attempts) {
        expect(res.status).toBe(503);
        expect(res.body).toEqual({ error: true, message: 'logger unavailable' });
        expect(specViolations('/handle', 'post', res)).toEqual([]);
        expect(ms).toBeLessThan(LOGGER_DEADLINE_MS / 2);
      }
      expect(query.status).toBe(503);
      expect(specViolations('/api/logs', 'get', query)).toEqual([]);
      expect(event.status).toBe(202);
      expect(login.status).toBe(202);
      const metrics = (await request(broker.metricsUrl).get('/metrics')).text;
      expect(metrics).toMatch(/^broker_circuit_open\{downstream="logger"[^}]*\} 1$/m);
    });

    it('When the logger comes back, then log actions succeed again once the breaker lets a trial call through', async () => {
      await mesh.logger!.restart();

      const res = await waitFor(
        async () => {
          const attempt = await act({ action: 'log', log: aLog() });
          return attempt.status === 202 ? attempt : undefined;
        },
        { timeoutMs: 20_000, what: 'log action accepted again' },
      );

      expect(res.body.data.event_id).toEqual(expect.any(String));
    });
  });

  describe('POST /handle — logger hung', () => {
    it('When the logger accepts connections but never answers, then log answers 503 at its deadline, not later', async () => {
      const pid = mesh.logger!.process.pid!;
      process.kill(pid, 'SIGSTOP');
      try {
        const { res, ms } = await timed({ action: 'log', log: aLog() });

        expect(res.status).toBe(503);
        expect(res.body.message).toBe('logger unavailable');
        expect(ms).toBeGreaterThanOrEqual(LOGGER_DEADLINE_MS - 100);
        expect(ms).toBeLessThan(LOGGER_DEADLINE_MS * 2 + 1_000);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
    });
  });

  describe('POST /handle — auth stopped', () => {
    afterAll(async () => {
      await mesh?.auth?.restart().catch(() => undefined);
    });

    it('When auth is stopped, then logins answer 503 fast while holders of a verified token keep working', async () => {
      // Verified once while auth is up: the claims are cached until the token expires.
      expect((await act({ action: 'event', event: anEventPayload() })).status).toBe(202);
      await mesh.auth.stop();

      const started = performance.now();
      const login = await request(broker.address.url)
        .post('/handle')
        .send({ action: 'auth', auth: { email: user.email, password: user.password } });
      const loginMs = performance.now() - started;
      const event = await act({ action: 'event', event: anEventPayload() });
      const log = await act({ action: 'log', log: aLog() });

      expect(login.status).toBe(503);
      expect(login.body).toEqual({ error: true, message: 'auth unavailable' });
      expect(loginMs).toBeLessThan(AUTH_DEADLINE_MS / 2);
      expect([event.status, event.body.message]).toEqual([202, expect.any(String)]);
      expect(log.body).toMatchObject({ error: false });
      expect(log.status).toBe(202);
    });
  });
});
