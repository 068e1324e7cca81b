import { setTimeout as sleep } from 'node:timers/promises';
import { aMailRequest } from './support/mail-factory';
import { startMailHarness, type MailHarness } from './support/mail-harness';

/**
 * Windows are UTC minutes: a test that fills one starts with at least 15 s of its minute left, so
 * a window change cannot land between its requests.
 */
async function awayFromMinuteEnd() {
  const second = new Date().getUTCSeconds() + new Date().getUTCMilliseconds() / 1000;
  if (second > 45) await sleep((60 - second) * 1000 + 100);
}

describe('POST /send under the per-principal quotas', () => {
  let h: MailHarness;

  beforeAll(async () => {
    h = await startMailHarness('quota', { MAIL_QUOTA_PER_MINUTE: '3', MAIL_QUOTA_PER_DAY: '5' });
  });
  afterAll(() => h.close());

  it('When a principal sends more than MAIL_QUOTA_PER_MINUTE, then 429 with Retry-After, and others are unaffected', async () => {
    // Arrange
    await awayFromMinuteEnd();
    const principal = `user:minute-${Date.now()}`;
    const accepted = [];
    for (let i = 0; i < 3; i++) accepted.push(await h.send(principal).send(aMailRequest()));
    const over = aMailRequest();

    // Act
    const res = await h.send(principal).send(over);

    // Assert
    expect(accepted.map((r) => r.status)).toEqual([202, 202, 202]);
    expect(res.status).toBe(429);
    expect(res.body).toEqual({
      error: true,
      message: 'mail quota exceeded: at most 3 mails per minute',
    });
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await h.send(`user:other-${Date.now()}`).send(aMailRequest())).status).toBe(202);
  });

  it('When 20 requests of one principal arrive at once, then exactly the quota is accepted and counted', async () => {
    // Arrange
    await awayFromMinuteEnd();
    const principal = `user:burst-${Date.now()}`;

    // Act
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => h.send(principal).send(aMailRequest())),
    );

    // Assert
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([...Array(3).fill(202), ...Array(17).fill(429)]);
    const check = new (await import('pg')).Client({ connectionString: h.db.url });
    await check.connect();
    try {
      const usage = await check.query(
        `SELECT period, used FROM mail_quota_usage WHERE principal = $1 ORDER BY period`,
        [principal],
      );
      expect(usage.rows).toEqual([
        { period: 'day', used: 3 },
        { period: 'minute', used: 3 },
      ]);
      const stored = await check.query(
        'SELECT count(*)::int AS n FROM mail_messages WHERE principal = $1',
        [principal],
      );
      expect(stored.rows).toEqual([{ n: 3 }]);
    } finally {
      await check.end();
    }
  });

  it('When two principals name one X-Quota-Owner, then they share its quota, each still owning its idempotency keys and messages', async () => {
    // Arrange: two API keys of one user, as the broker forwards them
    await awayFromMinuteEnd();
    const owner = `user:owner-${Date.now()}`;
    const [keyA, keyB] = [`key:a-${Date.now()}`, `key:b-${Date.now()}`];
    const as = (principal: string) => h.send(principal).set('X-Quota-Owner', owner);
    const body = aMailRequest();

    // Act
    const viaA = await as(keyA).set('Idempotency-Key', 'same').send(body);
    const viaB = await as(keyB).set('Idempotency-Key', 'same').send(body);
    const statuses = [
      (await as(keyA).send(aMailRequest())).status,
      (await as(keyB).send(aMailRequest())).status,
      (await as(owner).send(aMailRequest())).status,
    ];
    const { default: request } = await import('supertest');
    const readByB = await request(h.mail.address.url)
      .get(`/messages/${viaA.body.data.id}`)
      .set('X-Principal', keyB);

    // Assert
    expect([viaA.status, viaB.status]).toEqual([202, 202]);
    expect(viaB.body.data.id).not.toBe(viaA.body.data.id);
    expect(statuses).toEqual([202, 429, 429]);
    expect(readByB.status).toBe(404);
    const check = new (await import('pg')).Client({ connectionString: h.db.url });
    await check.connect();
    try {
      const usage = await check.query(
        `SELECT principal, period, used FROM mail_quota_usage
         WHERE principal = ANY($1::text[]) ORDER BY period`,
        [[owner, keyA, keyB]],
      );
      expect(usage.rows).toEqual([
        { principal: owner, period: 'day', used: 3 },
        { principal: owner, period: 'minute', used: 3 },
      ]);
    } finally {
      await check.end();
    }
  });

  it('When X-Quota-Owner is not a valid principal, then 400 and nothing is stored', async () => {
    const res = await h
      .send(`key:bad-owner-${Date.now()}`)
      .set('X-Quota-Owner', 'has space')
      .send(aMailRequest());

    expect(res.status).toBe(400);
    expect(res.body.message).toBe('invalid X-Quota-Owner header (set by the broker)');
  });

  it('When the quota is used up, then a replay of an accepted Idempotency-Key is still answered', async () => {
    // Arrange
    const principal = `user:replay-${Date.now()}`;
    const body = aMailRequest();
    const first = await h.send(principal).set('Idempotency-Key', 'k1').send(body);
    await h.send(principal).send(aMailRequest());
    await h.send(principal).send(aMailRequest());

    // Act
    const replay = await h.send(principal).set('Idempotency-Key', 'k1').send(body);

    // Assert
    expect(replay.status).toBe(202);
    expect(replay.body.data.id).toBe(first.body.data.id);
  });

  it('When replicas share the database, then the quota is counted across them', async () => {
    // Arrange
    const replica = await h.startReplica();
    await awayFromMinuteEnd();
    const principal = `user:replicas-${Date.now()}`;
    const { default: request } = await import('supertest');
    const viaReplica = () =>
      request(replica.address.url).post('/send').set('X-Principal', principal);

    // Act: three accepted across the two, then one more on each
    const statuses = [
      (await h.send(principal).send(aMailRequest())).status,
      (await viaReplica().send(aMailRequest())).status,
      (await h.send(principal).send(aMailRequest())).status,
    ];
    const fourth = await viaReplica().send(aMailRequest());
    const fifth = await h.send(principal).send(aMailRequest());

    // Assert
    expect(statuses).toEqual([202, 202, 202]);
    expect([fourth.status, fifth.status]).toEqual([429, 429]);
  });

  it('When a principal sends more than MAIL_QUOTA_PER_DAY, then 429 names the day', async () => {
    // Arrange: five already sent today (sent over several minutes, as the minute quota is 3)
    const principal = `user:day-${Date.now()}`;
    const client = new (await import('pg')).Client({ connectionString: h.db.url });
    await client.connect();
    try {
      await client.query(
        `INSERT INTO mail_quota_usage (principal, period, window_start, used)
         VALUES ($1, 'day', date_trunc('day', now(), 'UTC'), 5)`,
        [principal],
      );
    } finally {
      await client.end();
    }

    // Act
    const res = await h.send(principal).send(aMailRequest());

    // Assert
    expect(res.status).toBe(429);
    expect(res.body.message).toBe('mail quota exceeded: at most 5 mails per day');
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
    // The refused mail was not counted: the day still holds exactly its five.
    const check = new (await import('pg')).Client({ connectionString: h.db.url });
    await check.connect();
    try {
      const { rows } = await check.query(
        `SELECT used FROM mail_quota_usage WHERE principal = $1 AND period = 'day'`,
        [principal],
      );
      expect(rows).toEqual([{ used: 5 }]);
    } finally {
      await check.end();
    }
  });
});
