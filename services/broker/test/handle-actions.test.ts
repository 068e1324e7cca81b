import http from 'node:http';
import { MAIL_LIMITS } from '@micromesh/contracts';
import type { StartedHttpService } from '@micromesh/kit';
import {
  captureLogs,
  createTestDatabase,
  startServiceProcess,
  waitFor,
  type ServiceProcess,
  type TestDatabase,
} from '@micromesh/kit/testing';
import { createLogServiceClient, logServiceCalls } from '@micromesh/proto';
import request from 'supertest';
import { Downstream } from '../src/adapters/downstream';
import { LogWriter } from '../src/adapters/log-writer';
import { bindTestQueue } from './support/event-queue';
import { aLog, aLogWrite, aMail, anEventPayload, refuseDataInStore } from './support/factories';
import { openApiDocument } from '../src/entry-points/http/openapi';
import { specViolations } from './support/openapi-check';
import { ADMIN, TestMesh, type MeshUser } from './support/test-mesh';

const QUEUE = 'broker-actions-events';
const MAIL_FROM = 'noreply@broker-test.local';
const ALLOWED_SENDER = 'sender@broker-test.local';
/**
 * On the broker's allowlist only (a configuration drift between the two services): the broker
 * passes it on and the mail service refuses it, so its 400 is what the broker relays.
 */
const BROKER_ONLY_SENDER = 'drifted@broker-test.local';
/** Mails per principal per minute in this suite's mail service. */
const MAIL_QUOTA = 5;

/**
 * Quota windows are UTC minutes: a test that fills one starts with at least 15 s of its minute
 * left, so a window change cannot land between its requests.
 */
async function awayFromMinuteEnd() {
  const now = new Date();
  const second = now.getUTCSeconds() + now.getUTCMilliseconds() / 1000;
  if (second > 45) await new Promise((resolve) => setTimeout(resolve, (60 - second) * 1000 + 100));
}

describe('broker: actions', () => {
  let mesh: TestMesh;
  let mail: ServiceProcess;
  let mailDb: TestDatabase;
  let broker: StartedHttpService;
  let user: MeshUser;
  /** Reading logs needs logs:read, an admin scope. */
  let reader: MeshUser;
  let queue: Awaited<ReturnType<typeof bindTestQueue>>;

  beforeAll(async () => {
    mesh = await TestMesh.start();
    mailDb = await createTestDatabase('broker_mail');
    // The real mail service; its SMTP server is "the outside" and is deliberately absent
    // (nothing listens on port 9), so mail answers 202 "queued" and keeps the message durably.
    mail = await startServiceProcess({
      service: 'mail',
      env: {
        LOG_LEVEL: 'warn',
        MAIL_HOST: '127.0.0.1',
        MAIL_PORT: '9',
        MAIL_SMTP_TIMEOUT_MS: '1000',
        MAIL_DATABASE_URL: mailDb.url,
        AMQP_URL: mesh.vhost.url,
        MAIL_FROM: MAIL_FROM,
        MAIL_FROM_ALLOWLIST: ALLOWED_SENDER,
        MAIL_QUOTA_PER_MINUTE: String(MAIL_QUOTA),
      },
    });
    // Only INFO and WARNING are bound: an ERROR event is unroutable in this vhost.
    queue = await bindTestQueue(mesh.vhost, QUEUE, ['log.INFO', 'log.WARNING']);
    broker = await mesh.startBroker({
      MAIL_URL: mail.url,
      AUTH_RATE_LIMIT_POINTS: '100',
      MAIL_FROM: MAIL_FROM,
      MAIL_FROM_ALLOWLIST: `${ALLOWED_SENDER},${BROKER_ONLY_SENDER}`,
    });
    [user, reader] = await Promise.all([mesh.createUser('user'), mesh.createUser('admin')]);
  }, 120_000);
  afterAll(async () => {
    await mail?.stop();
    await mesh?.close();
    await mailDb?.drop();
  });

  const handle = (path = '/handle') =>
    request(broker.address.url).post(path).set('authorization', `Bearer ${user.token}`);
  const storedLog = async (eventId: string) => {
    const res = await request(broker.address.url)
      .get(`/api/logs/${eventId}`)
      .set('authorization', `Bearer ${reader.token}`);
    return res.status === 200 ? (res.body as { data: Record<string, unknown> }).data : undefined;
  };

  /** logger_entries_total{outcome="stored"} from the logger's own /metrics: entries it wrote. */
  const loggerEntries = async () => {
    const text = (await request(mesh.logger!.url).get('/metrics')).text;
    const count = (outcome: string) =>
      Number(
        new RegExp(`^logger_entries_total\\{[^}]*outcome="${outcome}"[^}]*\\} (\\d+)$`, 'm').exec(
          text,
        )?.[1] ?? 0,
      );
    return { stored: count('stored') };
  };

  /** broker_circuit_open{downstream} from /metrics (1 while that circuit is open). */
  const circuitOpen = async (downstream: string) => {
    const text = (await request(broker.address.url).get('/metrics')).text;
    const line = new RegExp(
      `^broker_circuit_open\\{[^}]*downstream="${downstream}"[^}]*\\} (\\S+)$`,
      'm',
    );
    return Number(line.exec(text)?.[1] ?? 0);
  };

  /** broker_log_batch_size from /metrics: WriteLogs calls made and entries they carried. */
  const batchStats = async () => {
    const text = (await request(broker.metricsUrl).get('/metrics')).text;
    const value = (name: string) =>
      Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
    return {
      calls: value('broker_log_batch_size_count'),
      entries: value('broker_log_batch_size_sum'),
    };
  };

  describe('POST / and GET /ping', () => {
    it('When the broker is hit, then it answers as the reference did', async () => {
      const hit = await request(broker.address.url).post('/');
      const ping = await request(broker.address.url).get('/ping');

      expect(hit.body).toEqual({ error: false, message: 'Hit the broker' });
      expect(specViolations('/', 'post', hit)).toEqual([]);
      expect(ping.status).toBe(200);
    });
  });

  describe('POST /handle — auth', () => {
    it('When the credentials are right, then 202 with the user and a Bearer token', async () => {
      const res = await request(broker.address.url)
        .post('/handle')
        .send({ action: 'auth', auth: { email: ADMIN.email, password: ADMIN.password } });

      expect(res.status).toBe(202);
      expect(res.body.message).toBe(`Logged in user ${ADMIN.email}`);
      expect(res.body.data.token.token_type).toBe('Bearer');
      expect(res.body.data.user.email).toBe(ADMIN.email);
      expect(specViolations('/handle', 'post', res)).toEqual([]);
    });

    it('When the password is wrong, then 401 "invalid credentials"', async () => {
      const res = await request(broker.address.url)
        .post('/handle')
        .send({ action: 'auth', auth: { email: ADMIN.email, password: 'wrong-password' } });

      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: true, message: 'invalid credentials' });
      expect(specViolations('/handle', 'post', res)).toEqual([]);
    });

    it('When auth throttles repeated failed logins, then its 429 and Retry-After are relayed', async () => {
      const victim = await mesh.createUser('user');
      const attempt = () =>
        request(broker.address.url)
          .post('/handle')
          .send({ action: 'auth', auth: { email: victim.email, password: 'not-the-password' } });

      const answers = [];
      for (let i = 0; i < 7; i++) answers.push(await attempt());

      const throttled = answers.at(-1)!;
      expect(answers.slice(0, 5).map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
      expect(specViolations('/handle', 'post', throttled)).toEqual([]);
    });

    it('When the email is missing, then 400 names the field', async () => {
      const res = await request(broker.address.url)
        .post('/handle')
        .send({ action: 'auth', auth: { password: 'x' } });

      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([expect.objectContaining({ path: 'auth.email' })]);
      expect(specViolations('/handle', 'post', res)).toEqual([]);
    });
  });

  describe('POST /handle — log', () => {
    it('When a signed-in client logs, then 202 with the event id and the logger stores the entry', async () => {
      const log = aLog({ level: 'warn', metadata: { order: 42 } });

      const res = await handle().send({ action: 'log', log });

      expect(res.status).toBe(202);
      expect(specViolations('/handle', 'post', res)).toEqual([]);
      const stored = await waitFor(() => storedLog(res.body.data.event_id), { what: 'stored log' });
      expect(stored).toMatchObject({ name: log.name, data: log.data, level: 'WARNING' });
    });

    it('When many clients log at once, then every one gets 202 and the logger writes each entry once', async () => {
      const logs = Array.from({ length: 40 }, () => aLog());
      const before = await loggerEntries();

      const answers = await Promise.all(logs.map((log) => handle().send({ action: 'log', log })));

      expect(answers.map((r) => r.status)).toEqual(logs.map(() => 202));
      const ids = answers.map((r) => r.body.data.event_id as string);
      expect(new Set(ids).size).toBe(logs.length);
      // Copies as the logger counts them: a second copy (under any event_id) would show here.
      const after = await loggerEntries();
      expect(after.stored - before.stored).toBe(40);
      const stored = await Promise.all(
        ids.map((id) => waitFor(() => storedLog(id), { what: `stored log ${id}` })),
      );
      expect(stored.map((s) => s.name)).toEqual(logs.map((l) => l.name));
    });

    it('When clients log, then the batch-size metric accounts for every entry sent to the logger', async () => {
      const before = await batchStats();

      await Promise.all(
        Array.from({ length: 10 }, () => handle().send({ action: 'log', log: aLog() })),
      );

      const after = await batchStats();
      expect(after.entries - before.entries).toBe(10);
      expect(after.calls - before.calls).toBeGreaterThanOrEqual(1);
    });

    it('When many writes arrive in one turn, then the real logger gets them as one WriteLogs call and stores each', async () => {
      const client = createLogServiceClient(mesh.loggerGrpc);
      const batches: number[] = [];
      const writer = new LogWriter({
        calls: logServiceCalls(client),
        downstream: new Downstream('logger', {
          failures: 5,
          halfOpenAfterMs: 1_000,
          logger: captureLogs('broker', 'silent').logger,
        }),
        timeoutMs: 5_000,
        maxBatch: 256,
        maxConcurrent: 2,
        onBatch: (size) => batches.push(size),
      });
      const records = Array.from({ length: 40 }, () => aLogWrite());

      try {
        await Promise.all(records.map((record) => writer.write(record)));
      } finally {
        client.close();
      }

      expect(batches).toEqual([40]);
      const stored = await Promise.all(records.map((r) => storedLog(r.event_id)));
      expect(stored.map((s) => s?.name)).toEqual(records.map((r) => r.name));
    });

    it('When 50 callers log at once and the store refuses one entry, then 49 are stored, that caller alone gets 400, and the circuit stays closed', async () => {
      // The entry passes the input contract; the real PostgreSQL of the logger refuses it.
      const refused = `refused-by-the-store-${Date.now()}`;
      await refuseDataInStore(mesh.logsDb.url, refused);
      const logs = Array.from({ length: 50 }, (_, i) => aLog(i === 17 ? { data: refused } : {}));
      const before = await batchStats();

      const answers = await Promise.all(logs.map((log) => handle().send({ action: 'log', log })));

      const after = await batchStats();
      expect(after.calls - before.calls).toBeLessThan(50); // coalesced, not one call each
      expect(answers.map((r) => r.status)).toEqual(logs.map((_, i) => (i === 17 ? 400 : 202)));
      expect(answers[17]!.body).toEqual({
        error: true,
        message: 'the logger refused the entry',
        details: [{ path: 'log', message: expect.stringContaining('23514') }],
      });
      expect(specViolations('/handle', 'post', answers[17]!)).toEqual([]);
      const stored = await Promise.all(
        answers.filter((r) => r.status === 202).map((r) => storedLog(r.body.data.event_id)),
      );
      expect(stored.filter(Boolean)).toHaveLength(49);
      expect(await circuitOpen('logger')).toBe(0);
    });

    it('When the data holds a NUL character, then 400 names log.data and the logger circuit is untouched', async () => {
      const answers = [];
      for (let i = 0; i < 8; i++) {
        answers.push(await handle().send({ action: 'log', log: aLog({ data: 'a\u0000b' }) }));
      }

      for (const res of answers) {
        expect(res.status).toBe(400);
        expect(res.body.details).toEqual([
          { path: 'log.data', message: 'must not contain NUL characters (\\u0000)' },
        ]);
      }
      expect(specViolations('/handle', 'post', answers[0]!)).toEqual([]);
      expect(await circuitOpen('logger')).toBe(0);
      expect((await handle().send({ action: 'log', log: aLog() })).status).toBe(202);
    });

    it('When metadata breaks a store rule deep inside, then 400 names its path', async () => {
      const res = await handle().send({
        action: 'log',
        log: aLog({ metadata: { user: { $where: 'x' }, tags: ['ok', 'bad\uD800'] } }),
      });

      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([
        { path: 'log.metadata.user.$where', message: 'metadata keys must not start with "$"' },
        { path: 'log.metadata.tags.1', message: 'must not contain unpaired UTF-16 surrogates' },
      ]);
    });

    it('When the reference alias POST /log-grpc is used, then the entry is stored the same way', async () => {
      const log = aLog();

      const res = await handle('/log-grpc').send({ action: 'log', log });

      expect(res.status).toBe(202);
      expect(specViolations('/log-grpc', 'post', res)).toEqual([]);
      expect(await waitFor(() => storedLog(res.body.data.event_id))).toMatchObject({
        name: log.name,
      });
    });

    it('When data is not a string, then 400 names log.data', async () => {
      const res = await handle().send({ action: 'log', log: aLog({ data: 123 }) });

      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([expect.objectContaining({ path: 'log.data' })]);
    });

    it('When the level is not a known level, then 400 names log.level', async () => {
      const res = await handle().send({ action: 'log', log: aLog({ level: 'LOUD' }) });

      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([expect.objectContaining({ path: 'log.level' })]);
    });
  });

  describe('GET /api/logs', () => {
    it('When logs are queried through the broker, then the logger answers with the stored entries', async () => {
      const log = aLog();
      const written = await handle().send({ action: 'log', log });

      const res = await waitFor(async () => {
        const page = await request(broker.address.url)
          .get('/api/logs')
          .query({ text: log.name })
          .set('authorization', `Bearer ${reader.token}`);
        return JSON.stringify(page.body).includes(written.body.data.event_id) ? page : undefined;
      });

      expect(res.status).toBe(200);
    });

    it('When a client tries to write through the logs API, then 405: only reads are proxied', async () => {
      const res = await request(broker.address.url)
        .post('/api/logs/bulk')
        .set('authorization', `Bearer ${user.token}`)
        .send({ entries: [aLog()] });

      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
    });
  });

  describe('GET /api/logs/stream', () => {
    it('When a client follows the live tail through the broker, then a new entry arrives as it is stored', async () => {
      const received: string[] = [];
      const stream = await new Promise<http.IncomingMessage>((resolve, reject) => {
        http
          .get(
            `${broker.address.url}/api/logs/stream`,
            { headers: { authorization: `Bearer ${reader.token}`, accept: 'text/event-stream' } },
            resolve,
          )
          .on('error', reject);
      });
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => received.push(chunk));
      try {
        await waitFor(() => received.join('').includes('event: ready'), { what: 'tail ready' });
        const log = aLog();

        const written = await handle().send({ action: 'log', log });

        expect(stream.statusCode).toBe(200);
        expect(stream.headers['content-type']).toContain('text/event-stream');
        await waitFor(() => received.join('').includes(`id: ${written.body.data.event_id}`), {
          what: 'the entry on the live tail',
        });
      } finally {
        stream.destroy();
      }
    });
  });

  describe('POST /handle — event', () => {
    it('When an event is sent, then 202 comes after the confirm and the message waits in the bound queue', async () => {
      const event = anEventPayload({ level: 'warning' });

      const res = await handle().send({ action: 'event', event });

      expect(res.status).toBe(202);
      expect(res.body.data.routing_key).toBe('log.WARNING');
      expect(specViolations('/handle', 'post', res)).toEqual([]);
      const [message] = await queue.take(100);
      expect(message?.routing_key).toBe('log.WARNING');
      expect(message?.properties).toMatchObject({
        message_id: res.body.data.event_id,
        delivery_mode: 2,
        content_type: 'application/json',
      });
      expect(JSON.parse(message?.payload ?? '{}')).toMatchObject({
        event_id: res.body.data.event_id,
        name: event.name,
        data: event.data,
        level: 'WARNING',
        service: 'broker',
      });
    });

    it('When the event data holds a NUL character, then 400 names event.data and nothing is published', async () => {
      const res = await handle().send({ action: 'event', event: { name: 'x', data: 'a\u0000b' } });

      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: true,
        message: 'invalid request',
        details: [{ path: 'event.data', message: 'must not contain NUL characters (\\u0000)' }],
      });
      expect(specViolations('/handle', 'post', res)).toEqual([]);
      expect(await queue.take(10)).toEqual([]);
    });

    it('When no queue is bound for the event’s routing key, then 503 and never 202', async () => {
      const res = await handle().send({
        action: 'event',
        event: anEventPayload({ level: 'error' }),
      });

      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        error: true,
        message: 'event not routable: no queue is bound for its routing key',
      });
      expect(specViolations('/handle', 'post', res)).toEqual([]);
    });
  });

  describe('POST /handle — mail', () => {
    const mailAs = (token: string) =>
      request(broker.address.url).post('/handle').set('authorization', `Bearer ${token}`);

    it('When a mail is sent, then 202 "queued" with the id to poll, and the mail service holds it for the caller', async () => {
      const message = aMail();

      const res = await handle()
        .set('idempotency-key', `broker-test-${Date.now()}`)
        .send({ action: 'mail', mail: message });

      expect(res.status).toBe(202);
      expect(res.body.data).toMatchObject({ status: 'queued', attempts: 0 });
      expect(res.body.message).toContain(message.to);
      expect(specViolations('/handle', 'post', res)).toEqual([]);
      const status = await request(mail.url)
        .get(`/messages/${res.body.data.id}`)
        .set('X-Principal', `user:${user.id}`);
      expect(status.status).toBe(200);
    });

    it('When the same Idempotency-Key is sent twice, then one message; another body is 422', async () => {
      const message = aMail();
      const key = `broker-idem-${Date.now()}`;

      const first = await handle()
        .set('idempotency-key', key)
        .send({ action: 'mail', mail: message });
      const again = await handle()
        .set('idempotency-key', key)
        .send({ action: 'mail', mail: message });
      const other = await handle()
        .set('idempotency-key', key)
        .send({ action: 'mail', mail: { ...message, subject: 'another subject' } });

      expect([first.status, again.status]).toEqual([202, 202]);
      expect(again.body.data.id).toBe(first.body.data.id);
      expect(other.status).toBe(422);
      expect(other.body).toEqual({
        error: true,
        message: 'idempotency key reused with a different request',
      });
      expect(specViolations('/handle', 'post', other)).toEqual([]);
    });

    it('When two principals use the same Idempotency-Key, then each gets its own message', async () => {
      const other = await mesh.createUser('user');
      const key = `broker-shared-${Date.now()}`;
      const message = aMail();

      const mine = await handle()
        .set('idempotency-key', key)
        .send({ action: 'mail', mail: message });
      const theirs = await mailAs(other.token)
        .set('idempotency-key', key)
        .send({ action: 'mail', mail: message });

      expect([mine.status, theirs.status]).toEqual([202, 202]);
      expect(theirs.body.data.id).not.toBe(mine.body.data.id);
    });

    it('When the caller polls GET /api/mail/{id}, then it sees its own mail and another caller gets 404', async () => {
      const sent = await handle().send({ action: 'mail', mail: aMail() });
      const other = await mesh.createUser('user');

      const own = await request(broker.address.url)
        .get(`/api/mail/${sent.body.data.id}`)
        .set('authorization', `Bearer ${user.token}`);
      const foreign = await request(broker.address.url)
        .get(`/api/mail/${sent.body.data.id}`)
        .set('authorization', `Bearer ${other.token}`);
      const anonymous = await request(broker.address.url).get(`/api/mail/${sent.body.data.id}`);
      const notAnId = await request(broker.address.url)
        .get('/api/mail/not-a-uuid')
        .set('authorization', `Bearer ${user.token}`);

      expect(own.status).toBe(200);
      expect(own.body.data).toMatchObject({ id: sent.body.data.id, status: 'queued' });
      expect(specViolations('/api/mail/{id}', 'get', own)).toEqual([]);
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual({ error: true, message: 'no message with this id' });
      expect(specViolations('/api/mail/{id}', 'get', foreign)).toEqual([]);
      expect(anonymous.status).toBe(401);
      expect(notAnId.status).toBe(400);
      expect(specViolations('/api/mail/{id}', 'get', notAnId)).toEqual([]);
    });

    it('When from is not the configured or an allowed sender, then 400 names mail.from at the broker', async () => {
      const res = await handle().send({
        action: 'mail',
        mail: aMail({ from: 'ceo@bank-example.com' }),
      });

      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([
        {
          path: 'mail.from',
          message: `must be the configured sender (${MAIL_FROM}) or an allowed one; leave it out to send from ${MAIL_FROM}`,
        },
      ]);
      expect(specViolations('/handle', 'post', res)).toEqual([]);
    });

    it('When a caller sends more than its quota per minute, then 429 with Retry-After is relayed', async () => {
      const sender = await mesh.createUser('user');
      await awayFromMinuteEnd();
      const statuses = [];
      for (let i = 0; i < MAIL_QUOTA; i++) {
        statuses.push((await mailAs(sender.token).send({ action: 'mail', mail: aMail() })).status);
      }

      const over = await mailAs(sender.token).send({ action: 'mail', mail: aMail() });

      expect(statuses).toEqual(Array(MAIL_QUOTA).fill(202));
      expect(over.status).toBe(429);
      expect(over.body).toEqual({
        error: true,
        message: `mail quota exceeded: at most ${MAIL_QUOTA} mails per minute`,
      });
      expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(specViolations('/handle', 'post', over)).toEqual([]);
    });

    it('When the recipient is missing, then 400 names mail.to', async () => {
      const res = await handle().send({ action: 'mail', mail: aMail({ to: undefined }) });

      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([expect.objectContaining({ path: 'mail.to' })]);
    });

    it('When the Idempotency-Key is not printable ASCII, then 400', async () => {
      const res = await handle()
        .set('idempotency-key', 'has space')
        .send({ action: 'mail', mail: aMail() });

      expect(res.status).toBe(400);
      expect(res.body.message).toBe('invalid Idempotency-Key header');
    });

    it('When every field is at the shared mail limits, then the broker and the mail service both accept it', async () => {
      const sender = await mesh.createUser('user');
      // 64 + 1 + 63 + 1 + 63 + 1 + 57 + 4 = 254 characters, the longest address the contract takes.
      const longestAddress = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
      const atLimits = aMail({
        to: longestAddress,
        subject: 's'.repeat(MAIL_LIMITS.subjectLength),
        message: 'm'.repeat(MAIL_LIMITS.messageLength),
      });

      const res = await mailAs(sender.token).send({ action: 'mail', mail: atLimits });

      expect(longestAddress).toHaveLength(MAIL_LIMITS.addressLength);
      expect(res.status).toBe(202);
      expect(res.body.data).toMatchObject({ status: 'queued', attempts: 0 });
    });

    it('When the subject or message is one character over the shared limit, then the broker itself answers 400 naming the field and the limit', async () => {
      const subject = await handle().send({
        action: 'mail',
        mail: aMail({ subject: 's'.repeat(MAIL_LIMITS.subjectLength + 1) }),
      });
      const message = await handle().send({
        action: 'mail',
        mail: aMail({ message: 'm'.repeat(MAIL_LIMITS.messageLength + 1) }),
      });

      // "invalid request" and the `mail.` prefix are the broker's own answer; a 400 relayed
      // from the mail service says "invalid mail request" and names `subject`.
      expect(subject.status).toBe(400);
      expect(subject.body).toEqual({
        error: true,
        message: 'invalid request',
        details: [{ path: 'mail.subject', message: 'must be at most 200 characters' }],
      });
      expect(specViolations('/handle', 'post', subject)).toEqual([]);
      expect(message.status).toBe(400);
      expect(message.body.details).toEqual([
        { path: 'mail.message', message: 'must be at most 20000 characters' },
      ]);
    });

    it('When the mail service refuses the input, then its 400 and details are relayed', async () => {
      // The broker and mail share one request schema, so only their configurations can differ.
      const res = await handle().send({
        action: 'mail',
        mail: aMail({ from: BROKER_ONLY_SENDER }),
      });

      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: true,
        message: 'invalid mail request',
        details: [
          {
            path: 'from',
            message: `must be the configured sender (${MAIL_FROM}) or an allowed one; leave it out to send from ${MAIL_FROM}`,
          },
        ],
      });
    });

    it('When the recipient is not a plain address, then the broker itself answers 400 naming mail.to', async () => {
      const res = await handle().send({ action: 'mail', mail: aMail({ to: 'not-an-address' }) });

      expect(res.status).toBe(400);
      expect(res.body.message).toBe('invalid request');
      expect(res.body.details).toEqual([
        { path: 'mail.to', message: 'must contain exactly one @' },
      ]);
    });
  });

  describe('POST /handle — bad requests', () => {
    it('When the action is unknown, then 400 "unknown action"', async () => {
      const res = await handle().send({ action: 'teleport' });

      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: true, message: 'unknown action' });
      expect(specViolations('/handle', 'post', res)).toEqual([]);
    });

    it('When the body is malformed JSON, then 400', async () => {
      const res = await handle().set('content-type', 'application/json').send('{"action": "log",');

      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: true, message: 'malformed JSON body' });
      expect(specViolations('/handle', 'post', res)).toEqual([]);
    });

    it('When the body is larger than the limit, then 413', async () => {
      const res = await handle().send({ action: 'log', log: aLog({ data: 'x'.repeat(200_000) }) });

      expect(res.status).toBe(413);
      expect(specViolations('/handle', 'post', res)).toEqual([]);
    });

    it('When the body is nested deeper than the JSON depth limit, then 400, never 500', async () => {
      const deep = `{"action":"log","log":{"name":"n","data":"d","metadata":${'{"a":'.repeat(2_000)}1${'}'.repeat(2_000)}}}`;

      const res = await handle().set('content-type', 'application/json').send(deep);

      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: true, message: 'JSON body nested deeper than 64 levels' });
      expect(specViolations('/handle', 'post', res)).toEqual([]);
    });

    it('When the body is not JSON, then 415', async () => {
      const res = await handle().set('content-type', 'text/plain').send('action=log');

      expect(res.status).toBe(415);
      expect(specViolations('/handle', 'post', res)).toEqual([]);
    });

    it.each([
      ['an array', [1, 2]],
      ['a string', '"log"'],
      ['an action that is a number', { action: 7 }],
      ['no action at all', { log: aLog() }],
    ])('When the body is %s, then 400', async (_, body) => {
      const res = await handle()
        .set('content-type', 'application/json')
        .send(typeof body === 'string' ? body : JSON.stringify(body));

      expect(res.status).toBe(400);
      expect(res.body.error).toBe(true);
    });
  });

  describe('CORS', () => {
    it('When an allowed origin preflights, then it is allowed; another origin gets no CORS headers', async () => {
      const preflight = (origin: string) =>
        request(broker.address.url)
          .options('/handle')
          .set('origin', origin)
          .set('access-control-request-method', 'POST')
          .set('access-control-request-headers', 'authorization,content-type');

      const allowed = await preflight('http://127.0.0.1:8081');
      const other = await preflight('https://evil.example');

      expect(allowed.headers['access-control-allow-origin']).toBe('http://127.0.0.1:8081');
      expect(allowed.headers['access-control-allow-headers']).toContain('Authorization');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('When a request sends no Origin, then the answer still varies on Origin (no shared cache hands it to a browser)', async () => {
      const plain = await request(broker.address.url).get('/ping');
      const fromBrowser = await request(broker.address.url)
        .get('/ping')
        .set('origin', 'http://127.0.0.1:8081');

      expect(plain.headers.vary).toBe('Origin');
      expect(fromBrowser.headers.vary).toBe('Origin');
    });
  });

  describe('GET /openapi.json', () => {
    it('When the document is fetched, then it is OpenAPI 3.1 and names every public route', async () => {
      const res = await request(broker.address.url).get('/openapi.json');

      expect(res.status).toBe(200);
      expect(res.body.openapi).toBe('3.1.0');
      expect(Object.keys(res.body.paths)).toEqual(
        expect.arrayContaining(['/', '/ping', '/handle', '/log-grpc', '/api/health', '/api/logs']),
      );
      // What the component tests check answers against is what clients (and the fuzzer) get.
      expect(res.body).toEqual(JSON.parse(JSON.stringify(openApiDocument)));
    });
  });
});
