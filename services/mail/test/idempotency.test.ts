import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { Client } from 'pg';
import { createLogger, createPgPool, migrate } from '@micromesh/kit';
import { mailMigrations, MIGRATIONS_TABLE } from '../src/adapters/postgres/migrations';
import { aMailRequest } from './support/mail-factory';
import { startMailHarness, type MailHarness } from './support/mail-harness';
import { waitForStatus } from './support/mail-waits';

async function sql<T extends object>(h: MailHarness, text: string, values: unknown[] = []) {
  const client = new Client({ connectionString: h.db.url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Copies of each message at the SMTP server, by Message-ID (not rows under a unique index). */
const copiesOf = (h: MailHarness, id: string) =>
  h.smtp.countsByMessageId().get(`<${id}@example.com>`) ?? 0;

describe('POST /send with an Idempotency-Key', () => {
  let h: MailHarness;

  beforeAll(async () => {
    h = await startMailHarness('idem');
  });
  afterAll(() => h.close());

  it('When the same key and body are sent twice, then both answers name one message and one mail leaves', async () => {
    // Arrange
    const body = aMailRequest();
    const key = `key-${randomUUID()}`;

    // Act
    const first = await h.send().set('Idempotency-Key', key).send(body);
    const second = await h.send().set('Idempotency-Key', key).send(body);

    // Assert
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.data.id).toBe(first.body.data.id);
    expect(second.headers['idempotent-replayed']).toBe('true');
    await waitForStatus(h, first.body.data.id, 'sent');
    const third = await h.send().set('Idempotency-Key', key).send(body);
    expect(third.body.data).toMatchObject({ id: first.body.data.id, status: 'sent' });
    await h.mail.sweep();
    expect(copiesOf(h, first.body.data.id)).toBe(1);
    expect(h.smtp.received.filter((m) => m.envelopeTo.includes(body.to))).toHaveLength(1);
  });

  it('When concurrent requests share a key, then one message is stored and one mail leaves', async () => {
    // Arrange
    const body = aMailRequest();
    const key = `race-${randomUUID()}`;

    // Act
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => h.send().set('Idempotency-Key', key).send(body)),
    );

    // Assert
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(202));
    const ids = new Set(answers.map((a) => a.body.data.id as string));
    expect(ids.size).toBe(1);
    const [id] = [...ids] as [string];
    await waitForStatus(h, id, 'sent');
    expect(
      await sql(h, 'SELECT id FROM mail_messages WHERE recipient = $1', [body.to]),
    ).toHaveLength(1);
    expect(copiesOf(h, id)).toBe(1);
  });

  it('When a key is reused with a different body, then 422 and nothing more is stored or sent', async () => {
    // Arrange
    const body = aMailRequest();
    const key = `reuse-${randomUUID()}`;
    const first = await h.send().set('Idempotency-Key', key).send(body);

    // Act
    const res = await h
      .send()
      .set('Idempotency-Key', key)
      .send({ ...body, subject: 'something else' });

    // Assert
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      error: true,
      message: 'idempotency key reused with a different request',
    });
    await waitForStatus(h, first.body.data.id, 'sent');
    expect(
      await sql(h, 'SELECT id FROM mail_messages WHERE recipient = $1', [body.to]),
    ).toHaveLength(1);
  });

  it('When two principals use the same key, then each gets its own message and two mails leave', async () => {
    // Arrange
    const body = aMailRequest();
    const key = `shared-${randomUUID()}`;

    // Act
    const alice = await h.send('user:alice').set('Idempotency-Key', key).send(body);
    const bob = await h.send('key:bob').set('Idempotency-Key', key).send(body);

    // Assert
    expect([alice.status, bob.status]).toEqual([202, 202]);
    expect(bob.body.data.id).not.toBe(alice.body.data.id);
    expect(bob.headers['idempotent-replayed']).toBeUndefined();
    await waitForStatus(h, alice.body.data.id, 'sent');
    await waitForStatus(h, bob.body.data.id, 'sent');
    expect(copiesOf(h, alice.body.data.id)).toBe(1);
    expect(copiesOf(h, bob.body.data.id)).toBe(1);
  });

  it('When a key has expired, then it names a new message (even with another body)', async () => {
    // Arrange: a key used, then its expiry passed
    const body = aMailRequest();
    const key = `expiring-${randomUUID()}`;
    const first = await h.send().set('Idempotency-Key', key).send(body);
    await sql(
      h,
      `UPDATE mail_messages SET idempotency_expires_at = now() - interval '1 second' WHERE id = $1`,
      [first.body.data.id],
    );

    // Act
    const again = await h
      .send()
      .set('Idempotency-Key', key)
      .send({ ...body, subject: 'a new mail' });

    // Assert
    expect(again.status).toBe(202);
    expect(again.body.data.id).not.toBe(first.body.data.id);
    const replay = await h
      .send()
      .set('Idempotency-Key', key)
      .send({ ...body, subject: 'a new mail' });
    expect(replay.body.data.id).toBe(again.body.data.id);
  });

  it('When a key is new, then it is kept IDEMPOTENCY_TTL_HOURS (24 by default)', async () => {
    // Act
    const res = await h.send().set('Idempotency-Key', `ttl-${randomUUID()}`).send(aMailRequest());

    // Assert
    const [row] = await sql<{ hours: number }>(
      h,
      `SELECT round(extract(epoch FROM idempotency_expires_at - created_at) / 3600) AS hours
       FROM mail_messages WHERE id = $1`,
      [res.body.data.id],
    );
    expect(Number(row?.hours)).toBe(24);
  });

  it('When another principal asks for a message by id, then 404; its sender sees it', async () => {
    // Arrange
    const res = await h.send('user:owner').send(aMailRequest());
    const id = res.body.data.id as string;

    // Act
    const other = await request(h.mail.address.url)
      .get(`/messages/${id}`)
      .set('X-Principal', 'user:someone-else');
    const own = await request(h.mail.address.url)
      .get(`/messages/${id}`)
      .set('X-Principal', 'user:owner');

    // Assert
    expect(other.status).toBe(404);
    expect(other.body).toEqual({ error: true, message: 'no message with this id' });
    expect(own.status).toBe(200);
    expect(own.body.data.id).toBe(id);
  });
});

describe('Migration of global idempotency keys into the per-principal scope', () => {
  it('When a database from before the migration is upgraded, then old keys live in the legacy: scope and new principals may reuse them', async () => {
    // Arrange: a database at schema version 1 with a message under a global key
    const { createTestDatabase } = await import('@micromesh/kit/testing');
    const db = await createTestDatabase('mail_migrate');
    const logger = createLogger({ service: 'mail-test', level: 'silent' });
    const pool = createPgPool({
      connectionString: db.url,
      applicationName: 'migration-test',
      logger,
    });
    const oldId = randomUUID();
    try {
      await migrate({
        pool,
        migrations: mailMigrations.slice(0, 1),
        logger,
        table: MIGRATIONS_TABLE,
      });
      await pool.query(
        `INSERT INTO mail_messages (id, idempotency_key, payload_hash, sender, recipient, subject,
           body, status, attempts, sent_at)
         VALUES ($1, 'old-key', 'hash', 'noreply@micromesh.test', 'old@example.com', 's', 'm',
           'sent', 1, now())`,
        [oldId],
      );
    } finally {
      await pool.end();
    }

    // Act: the service starts on it (and migrates), and a principal uses the same key
    const h = await startMailHarness('migrated', {}, { database: db });
    try {
      const res = await h.send('user:new').set('Idempotency-Key', 'old-key').send(aMailRequest());

      // Assert
      expect(res.status).toBe(202);
      expect(res.body.data.id).not.toBe(oldId);
      expect(
        await sql<{ id: string; principal: string }>(
          h,
          `SELECT id, principal FROM mail_messages WHERE idempotency_key = 'old-key' ORDER BY created_at`,
        ),
      ).toEqual([
        { id: oldId, principal: 'legacy:' },
        { id: res.body.data.id, principal: 'user:new' },
      ]);
      const old = await request(h.mail.address.url).get(`/messages/${oldId}`);
      expect(old.body.data).toMatchObject({ id: oldId, status: 'sent' });
      const reserved = await h
        .send('legacy:')
        .set('Idempotency-Key', 'old-key')
        .send(aMailRequest());
      expect(reserved.status).toBe(400);
    } finally {
      await h.close();
    }
  });
});
