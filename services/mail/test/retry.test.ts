import amqp from 'amqplib';
import request from 'supertest';
import { waitFor } from '@micromesh/kit/testing';
import { Client } from 'pg';
import { aMailRequest } from './support/mail-factory';
import { startMailHarness, type MailHarness } from './support/mail-harness';
import { vhostOutage } from './support/vhost-outage';

// Outages, retries and RabbitMQ's management statistics (refreshed every few seconds) take a
// while on a loaded machine; every wait inside is bounded by its own waitFor timeout.
jest.setTimeout(90_000);

const QUEUES = ['mail.outbox', 'mail.retry.200ms', 'mail.retry.500ms'];

async function storedRow(h: MailHarness, id: string) {
  const client = new Client({ connectionString: h.db.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ status: string; attempts: number; enqueued: boolean }>(
      'SELECT status, attempts, enqueued FROM mail_messages WHERE id = $1',
      [id],
    );
    return rows[0];
  } finally {
    await client.end();
  }
}

async function statusOf(h: MailHarness, id: string) {
  return (await request(h.mail.address.url).get(`/messages/${id}`)).body.data;
}

async function queuesEmpty(h: MailHarness) {
  const depths = await Promise.all(QUEUES.map((q) => h.vhost.queueDepth(q)));
  return depths.every((d) => d === 0);
}

const received = (h: MailHarness, to: string) =>
  h.smtp.received.filter((m) => m.envelopeTo.includes(to));

describe('POST /send while SMTP is down', () => {
  let h: MailHarness;

  beforeEach(async () => {
    h = await startMailHarness('retry');
  });
  afterEach(() => h.close());

  it('When SMTP is down, then 202 queued, deliveries pause after one attempt, and the mail is delivered exactly once when SMTP is back', async () => {
    // Arrange
    await h.smtp.stop();
    const body = aMailRequest();

    // Act
    const res = await h.send().send(body);

    // Assert: accepted and queued before any attempt
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ error: false, data: { status: 'queued', attempts: 0 } });
    const id = res.body.data.id as string;
    expect(res.headers.location).toBe(`/messages/${id}`);
    // one attempt finds SMTP down (a readable, public-safe status), then deliveries pause: the
    // service probes the server instead of spending an attempt per retry
    await waitFor(async () => (await statusOf(h, id)).attempts === 1, { what: 'a first attempt' });
    expect(await statusOf(h, id)).toMatchObject({
      status: 'queued',
      lastError: 'SMTP server unreachable',
    });
    await waitFor(
      () => h.logs.filter((l) => l.msg === 'SMTP probe failed; deliveries stay paused').length >= 5,
      { what: 'five failed probes (about a second) while SMTP is down' },
    );
    expect((await statusOf(h, id)).attempts).toBe(1);
    // RabbitMQ confirmed a retry message for the current attempt
    await waitFor(async () => (await storedRow(h, id))?.enqueued, { what: 'a confirmed retry' });

    // Act: SMTP comes back on the same port
    await h.smtp.start();

    // Assert: delivered, recorded, nothing left in RabbitMQ, and only once
    await waitFor(async () => (await statusOf(h, id)).status === 'sent', {
      what: 'the queued mail to be sent',
      timeoutMs: 20_000,
    });
    await waitFor(() => queuesEmpty(h), { what: 'the retry queues to drain', timeoutMs: 20_000 });
    await h.mail.sweep();
    expect(received(h, body.to)).toHaveLength(1);
    expect(received(h, body.to)[0]?.parsed.html).toContain(body.subject);
    expect(await storedRow(h, id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(h.logs).toContainEqual(
      expect.objectContaining({ msg: 'mail queued for a retry', messageId: id }),
    );
  });

  it('When the same Idempotency-Key is retried while the mail is queued, then one mail is delivered', async () => {
    // Arrange
    await h.smtp.stop();
    const body = aMailRequest();
    const first = await h.send().set('Idempotency-Key', 'retry-key-1').send(body);

    // Act
    const second = await h.send().set('Idempotency-Key', 'retry-key-1').send(body);
    await h.smtp.start();

    // Assert
    expect(first.body.data.status).toBe('queued');
    expect(second.status).toBe(202);
    expect(second.body.data.id).toBe(first.body.data.id);
    await waitFor(async () => (await statusOf(h, first.body.data.id)).status === 'sent', {
      what: 'delivery',
      timeoutMs: 20_000,
    });
    await waitFor(() => queuesEmpty(h), { what: 'the retry queues to drain', timeoutMs: 20_000 });
    expect(received(h, body.to)).toHaveLength(1);
  });

  it('When RabbitMQ delivers the same retry several times, then the mail is sent once', async () => {
    // Arrange: a queued mail, and duplicates of its retry message (as after a redelivery or a sweep)
    await h.smtp.stop();
    const body = aMailRequest();
    const res = await h.send().send(body);
    const id = res.body.data.id as string;
    const connection = await amqp.connect(h.vhost.url);
    try {
      const channel = await connection.createConfirmChannel();
      for (let i = 0; i < 5; i++) {
        channel.sendToQueue('mail.outbox', Buffer.from(JSON.stringify({ id })), {
          persistent: true,
        });
      }
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }

    // Act
    await h.smtp.start();

    // Assert
    await waitFor(async () => (await statusOf(h, id)).status === 'sent', {
      what: 'delivery',
      timeoutMs: 20_000,
    });
    await waitFor(() => queuesEmpty(h), { what: 'the retry queues to drain', timeoutMs: 20_000 });
    expect(received(h, body.to)).toHaveLength(1);
  });

  it('When the mail service restarts while a mail is queued, then the new instance delivers it once', async () => {
    // Arrange
    await h.smtp.stop();
    const body = aMailRequest();
    const res = await h.send().send(body);
    const id = res.body.data.id as string;
    await h.mail.stop();

    // Act
    await h.smtp.start();
    await h.restart();

    // Assert
    await waitFor(async () => (await statusOf(h, id)).status === 'sent', {
      what: 'delivery after the restart',
      timeoutMs: 20_000,
    });
    await waitFor(() => queuesEmpty(h), { what: 'the retry queues to drain', timeoutMs: 20_000 });
    expect(received(h, body.to)).toHaveLength(1);
  });

  it('When SMTP and RabbitMQ are both down, then the mail is kept in PostgreSQL and delivered once both are back', async () => {
    // Arrange
    const outage = vhostOutage(h.vhost);
    await waitFor(
      async () => (await request(h.mail.address.url).get('/readyz')).body.data.checks.rabbitmq.ok,
      {
        what: 'RabbitMQ to connect first',
      },
    );
    await h.smtp.stop();
    await outage.begin();
    await waitFor(
      async () =>
        (await request(h.mail.address.url).get('/readyz')).body.data.checks.rabbitmq.ok === false,
      { what: 'the service to notice RabbitMQ is gone' },
    );
    const body = aMailRequest();

    // Act
    const res = await h.send().send(body);

    // Assert: accepted, stored as queued; its hand-off to RabbitMQ failed, so the row says so
    expect(res.status).toBe(202);
    const id = res.body.data.id as string;
    await waitFor(async () => (await storedRow(h, id))?.enqueued === false, {
      what: 'the failed hand-off to be recorded',
    });
    expect(await storedRow(h, id)).toMatchObject({ status: 'queued', attempts: 0 });

    // Act: both come back
    await outage.end();
    await h.smtp.start();

    // Assert: the sweeper hands it to RabbitMQ and it is delivered once
    await waitFor(async () => (await statusOf(h, id)).status === 'sent', {
      what: 'delivery after the outage',
      timeoutMs: 30_000,
    });
    await waitFor(() => queuesEmpty(h), { what: 'the retry queues to drain', timeoutMs: 20_000 });
    expect(received(h, body.to)).toHaveLength(1);
  });

  it('When PostgreSQL is unavailable, then 503 and no mail leaves', async () => {
    // Arrange
    await h.db.drop();
    const body = aMailRequest();

    // Act
    const res = await h.send().send(body);

    // Assert
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      error: true,
      message: 'mail storage is unavailable; nothing was sent',
    });
    expect(received(h, body.to)).toHaveLength(0);
    expect((await request(h.mail.address.url).get('/readyz')).status).toBe(503);
  });
});
