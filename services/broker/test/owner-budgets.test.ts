import http from 'node:http';
import type { StartedHttpService } from '@micromesh/kit';
import {
  createTestDatabase,
  startServiceProcess,
  type ServiceProcess,
  type TestDatabase,
} from '@micromesh/kit/testing';
import request from 'supertest';
import { aMail } from './support/factories';
import { TestMesh } from './support/test-mesh';

const MAIL_FROM = 'noreply@broker-test.local';
/** Mails per user per minute in this suite's mail service. */
const MAIL_QUOTA = 2;
/** Requests per minute per user at the rate-limited broker. */
const RATE_POINTS = 4;

/**
 * Quota windows are UTC minutes: a test that fills one starts with at least 15 s of its minute
 * left, so a window change cannot land between its requests.
 */
async function awayFromMinuteEnd() {
  const now = new Date();
  const second = now.getUTCSeconds() + now.getUTCMilliseconds() / 1000;
  if (second > 45) await new Promise((resolve) => setTimeout(resolve, (60 - second) * 1000 + 100));
}

/** A live tail opened with these credentials; resolves with the response once its headers arrive. */
function openTail(baseUrl: string, credentials: Record<string, string>) {
  return new Promise<http.IncomingMessage>((resolve, reject) => {
    http
      .get(
        `${baseUrl}/api/logs/stream`,
        { headers: { ...credentials, accept: 'text/event-stream' } },
        resolve,
      )
      .on('error', reject);
  });
}

/** The whole body of a (short) answer. */
async function bodyOf(res: http.IncomingMessage): Promise<string> {
  res.setEncoding('utf8');
  let text = '';
  for await (const chunk of res) text += chunk as string;
  return text;
}

/**
 * Budgets belong to the user, not to each credential: a user may mint API keys freely, and every
 * key (and every token session) of one user spends the same mail quota, rate limit and stream
 * allowance. What belongs to a credential stays with it: its Idempotency-Keys and the mail it may
 * read.
 */
describe('broker: budgets are per user, across its API keys and sessions', () => {
  let mesh: TestMesh;
  let mail: ServiceProcess;
  let mailDb: TestDatabase;
  let broker: StartedHttpService;
  let limited: StartedHttpService;

  beforeAll(async () => {
    mesh = await TestMesh.start();
    mailDb = await createTestDatabase('broker_owner_mail');
    // The real mail service; no SMTP server listens (port 9), so mail stays durably queued.
    mail = await startServiceProcess({
      service: 'mail',
      env: {
        LOG_LEVEL: 'warn',
        MAIL_HOST: '127.0.0.1',
        MAIL_PORT: '9',
        MAIL_SMTP_TIMEOUT_MS: '1000',
        MAIL_DATABASE_URL: mailDb.url,
        AMQP_URL: mesh.vhost.url,
        MAIL_FROM,
        MAIL_QUOTA_PER_MINUTE: String(MAIL_QUOTA),
      },
    });
    [broker, limited] = await Promise.all([
      mesh.startBroker({ MAIL_URL: mail.url, MAIL_FROM, STREAMS_PER_CLIENT: '2' }),
      mesh.startBroker({ MAIL_URL: mail.url, MAIL_FROM, RATE_LIMIT_POINTS: String(RATE_POINTS) }),
    ]);
  }, 120_000);
  afterAll(async () => {
    await mail?.stop();
    await mesh?.close();
    await mailDb?.drop();
  });

  const mailWithKey = (key: string, idempotencyKey?: string) => {
    const req = request(broker.address.url).post('/handle').set('x-api-key', key);
    if (idempotencyKey) req.set('idempotency-key', idempotencyKey);
    return req.send({ action: 'mail', mail: aMail({ from: undefined }) });
  };

  describe('mail quota', () => {
    it('When one user sends with three API keys, then together they get the quota once and the rest is 429', async () => {
      // Arrange
      const owner = await mesh.createUser('user');
      const keys = await Promise.all([1, 2, 3].map(() => mesh.createKeyOf(owner, ['mail:send'])));
      await awayFromMinuteEnd();

      // Act
      const answers = [];
      for (const { key } of keys) {
        for (let i = 0; i < MAIL_QUOTA; i++) answers.push(await mailWithKey(key));
      }
      const session = await request(broker.address.url)
        .post('/handle')
        .set('authorization', `Bearer ${owner.token}`)
        .send({ action: 'mail', mail: aMail({ from: undefined }) });

      // Assert
      expect(answers.map((a) => a.status)).toEqual([202, 202, 429, 429, 429, 429]);
      expect(answers[2]!.body).toEqual({
        error: true,
        message: `mail quota exceeded: at most ${MAIL_QUOTA} mails per minute`,
      });
      expect(Number(answers[2]!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(session.status).toBe(429);
      const other = await mesh.createUser('user');
      const stranger = await request(broker.address.url)
        .post('/handle')
        .set('authorization', `Bearer ${other.token}`)
        .send({ action: 'mail', mail: aMail({ from: undefined }) });
      expect(stranger.status).toBe(202);
    });

    it('When two keys of one user use the same Idempotency-Key, then each gets its own message and reads only its own', async () => {
      // Arrange
      const owner = await mesh.createUser('user');
      const [a, b] = await Promise.all([
        mesh.createKeyOf(owner, ['mail:send']),
        mesh.createKeyOf(owner, ['mail:send']),
      ]);
      const idempotencyKey = `owner-shared-${Date.now()}`;
      await awayFromMinuteEnd();

      // Act
      const viaA = await mailWithKey(a.key, idempotencyKey);
      const viaB = await mailWithKey(b.key, idempotencyKey);
      const readByB = await request(broker.address.url)
        .get(`/api/mail/${viaA.body.data.id}`)
        .set('x-api-key', b.key);
      const readByA = await request(broker.address.url)
        .get(`/api/mail/${viaA.body.data.id}`)
        .set('x-api-key', a.key);

      // Assert
      expect([viaA.status, viaB.status]).toEqual([202, 202]);
      expect(viaB.body.data.id).not.toBe(viaA.body.data.id);
      expect(viaB.headers['idempotent-replayed']).toBeUndefined();
      expect(readByA.status).toBe(200);
      expect(readByB.status).toBe(404);
    });
  });

  describe('rate limit', () => {
    it('When one user calls with two API keys and a session, then they share one X-RateLimit budget', async () => {
      // Arrange
      const owner = await mesh.createUser('user');
      const [a, b] = await Promise.all([mesh.createKeyOf(owner), mesh.createKeyOf(owner)]);
      const ping = (set: (r: request.Test) => request.Test) =>
        set(request(limited.address.url).get('/api/mail/00000000-0000-4000-8000-000000000000'));

      // Act
      const answers = [];
      for (let i = 0; i < RATE_POINTS / 2; i++) {
        answers.push(await ping((r) => r.set('x-api-key', a.key)));
        answers.push(await ping((r) => r.set('x-api-key', b.key)));
      }
      const overByKey = await ping((r) => r.set('x-api-key', a.key));
      const overBySession = await ping((r) => r.set('authorization', `Bearer ${owner.token}`));

      // Assert
      expect(answers.map((a) => a.headers['x-ratelimit-remaining'])).toEqual(
        Array.from({ length: RATE_POINTS }, (_, i) => String(RATE_POINTS - 1 - i)),
      );
      expect(overByKey.status).toBe(429);
      expect(overBySession.status).toBe(429);
      const other = await mesh.createUser('user');
      expect((await ping((r) => r.set('authorization', `Bearer ${other.token}`))).status).toBe(404);
    });
  });

  describe('live tails', () => {
    it('When one user opens tails with two API keys and a session, then the stream allowance is shared', async () => {
      // Arrange
      const reader = await mesh.createUser('admin');
      const [a, b] = await Promise.all([
        mesh.createKeyOf(reader, ['logs:read']),
        mesh.createKeyOf(reader, ['logs:read']),
      ]);

      // Act
      const first = await openTail(broker.address.url, { 'x-api-key': a.key });
      const second = await openTail(broker.address.url, { 'x-api-key': b.key });
      const third = await openTail(broker.address.url, { authorization: `Bearer ${reader.token}` });

      // Assert
      try {
        expect([first.statusCode, second.statusCode, third.statusCode]).toEqual([200, 200, 429]);
        expect(JSON.parse(await bodyOf(third))).toEqual({
          error: true,
          message: 'at most 2 concurrent streams per user (its sessions and API keys together)',
        });
      } finally {
        for (const stream of [first, second, third]) stream.destroy();
      }
    });
  });
});
