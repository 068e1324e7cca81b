import amqp from 'amqplib';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import request from 'supertest';
import { waitFor } from '@micromesh/kit/testing';
import { aMailRequest } from './support/mail-factory';
import { startMailHarness, type MailHarness } from './support/mail-harness';

// Outages, retries and RabbitMQ's management statistics (refreshed every few seconds) take a
// while on a loaded machine; every wait inside is bounded by its own waitFor timeout.
jest.setTimeout(90_000);

async function statusOf(h: MailHarness, id: string) {
  return (await request(h.mail.address.url).get(`/messages/${id}`)).body.data;
}

const received = (h: MailHarness, to: string) =>
  h.smtp.received.filter((m) => m.envelopeTo.includes(to));

/** Takes the SMTP port, accepts connections and never says a word. */
async function hangingSmtp(port: number) {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return {
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('POST /send when SMTP misbehaves', () => {
  let h: MailHarness;

  beforeAll(async () => {
    h = await startMailHarness('outcomes', { MAIL_SMTP_TIMEOUT_MS: '1000' });
  });
  afterAll(() => h.close());

  it('When the SMTP server hangs, then the answer is "queued" at once and the mail is delivered once SMTP answers', async () => {
    // Arrange
    await h.smtp.stop();
    const hang = await hangingSmtp(h.smtp.port);
    const body = aMailRequest();

    // Act
    let res;
    try {
      res = await h.send().send(body);
    } finally {
      await hang.close();
      await h.smtp.start();
    }

    // Assert: answered without waiting for SMTP
    expect(res.status).toBe(202);
    expect(res.body.data).toMatchObject({ status: 'queued', attempts: 0 });
    const id = res.body.data.id as string;
    await waitFor(async () => (await statusOf(h, id)).status === 'sent', {
      what: 'delivery once SMTP answers',
      timeoutMs: 20_000,
    });
    expect(received(h, body.to)).toHaveLength(1);
  });

  it('When SMTP refuses a queued mail for good (550), then it ends failed, without more retries or mail', async () => {
    // Arrange
    await h.smtp.stop();
    const body = aMailRequest();
    const res = await h.send().send(body);
    const id = res.body.data.id as string;

    // Act
    h.smtp.rejectWith(550);
    await h.smtp.start();
    let failed;
    try {
      failed = await waitFor(
        async () => {
          const status = await statusOf(h, id);
          return status.status === 'failed' ? status : undefined;
        },
        { what: 'the permanent failure', timeoutMs: 20_000 },
      );
    } finally {
      h.smtp.rejectWith(undefined);
    }

    // Assert
    expect(failed.lastError).toBe('SMTP server rejected the message (550)');
    await h.mail.sweep();
    expect((await statusOf(h, id)).attempts).toBe(failed.attempts);
    expect(received(h, body.to)).toHaveLength(0);
  });
});

describe('POST /send with a retry limit', () => {
  let h: MailHarness;

  beforeAll(async () => {
    h = await startMailHarness('limit', { MAIL_MAX_ATTEMPTS: '3' });
  });
  afterAll(() => h.close());

  it('When SMTP keeps deferring past MAIL_MAX_ATTEMPTS, then the mail ends failed after exactly that many attempts', async () => {
    // Arrange: the server answers, but "try again later" (451) to every message
    h.smtp.rejectWith(451);
    const body = aMailRequest();

    // Act
    let failed;
    try {
      const res = await h.send().send(body);
      const id = res.body.data.id as string;
      failed = await waitFor(
        async () => {
          const status = await statusOf(h, id);
          return status.status === 'failed' ? status : undefined;
        },
        { what: 'the retries to give up', timeoutMs: 20_000 },
      );
    } finally {
      h.smtp.rejectWith(undefined);
    }

    // Assert
    expect(failed).toMatchObject({
      attempts: 3,
      lastError: 'SMTP server deferred the message (451); gave up after 3 attempts',
    });
    const metrics = await request(h.mail.address.url).get('/metrics');
    expect(metrics.text).toMatch(/mail_delivery_attempts_total\{[^}]*outcome="queued"[^}]*\} 2/);
    expect(metrics.text).toMatch(/mail_delivery_attempts_total\{[^}]*outcome="failed"[^}]*\} 1/);
  });
});

describe('POST /send when RabbitMQ loses a retry message', () => {
  let h: MailHarness;

  beforeAll(async () => {
    // The retry waits 5 s in its delay queue (time to lose it); a 3 s grace lets the sweeper act.
    h = await startMailHarness('lost', {
      MAIL_RETRY_DELAYS_MS: '5000',
      MAIL_SMTP_TIMEOUT_MS: '500',
      MAIL_LOST_AFTER_MS: '3000',
    });
  });
  afterAll(() => h.close());

  it('When the queued retry message is lost, then the sweeper re-enqueues it after the grace period and it is delivered once', async () => {
    // Arrange: queued, confirmed on the delay queue, then the queue's content is lost
    await h.smtp.stop();
    const body = aMailRequest();
    const res = await h.send().send(body);
    const id = res.body.data.id as string;
    expect(res.body.data.status).toBe('queued');
    await waitFor(async () => (await statusOf(h, id)).attempts === 1, { what: 'a first attempt' });
    // Purged over AMQP as soon as the retry is there (the management API's queue depth is a
    // statistic refreshed every 5 s: waiting for it raced the 5 s delay itself).
    const connection = await amqp.connect(h.vhost.url);
    try {
      const channel = await connection.createChannel();
      await waitFor(
        async () =>
          (await channel.purgeQueue('mail.retry.5000ms')).messageCount === 1 ? true : undefined,
        { what: 'the retry to wait in its delay queue, then purged', intervalMs: 20 },
      );
    } finally {
      await connection.close();
    }

    // Act
    await h.smtp.start();

    // Assert
    await waitFor(async () => (await statusOf(h, id)).status === 'sent', {
      what: 'the sweeper to re-enqueue the lost message',
      timeoutMs: 20_000,
    });
    expect(received(h, body.to)).toHaveLength(1);
    expect(h.logs).toContainEqual(
      expect.objectContaining({ msg: 'stored messages handed to the retry queue' }),
    );
  });
});
