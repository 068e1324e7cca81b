import request from 'supertest';
import { waitFor } from '@micromesh/kit/testing';
import { aMailRequest } from './support/mail-factory';
import { startMailHarness, type MailHarness } from './support/mail-harness';
import { waitForStatus } from './support/mail-waits';

// RabbitMQ's management statistics refresh every few seconds; every wait inside is bounded by its
// own waitFor timeout.
jest.setTimeout(90_000);

const OUTBOX = 'mail.outbox';

async function management(h: MailHarness, method: string, path: string) {
  return fetch(`${h.vhost.managementUrl}${path}`, {
    method,
    headers: { authorization: h.vhost.authHeader },
  });
}

/** The outbox's consumer count as RabbitMQ reports it, or undefined while the queue is missing. */
async function outboxConsumers(h: MailHarness): Promise<number | undefined> {
  const res = await management(
    h,
    'GET',
    `/queues/${encodeURIComponent(h.vhost.name)}/${encodeURIComponent(OUTBOX)}`,
  );
  if (res.status === 404) return undefined;
  return ((await res.json()) as { consumers?: number }).consumers ?? 0;
}

describe('The outbox consumer, when RabbitMQ takes it away', () => {
  let h: MailHarness;

  beforeAll(async () => {
    h = await startMailHarness('outbox-consumer');
  });
  afterAll(() => h.close());

  it('When the outbox queue is deleted (the consumer is cancelled), then mail declares it again, consumes it, and mail sent afterwards is delivered', async () => {
    // Arrange
    await waitFor(async () => ((await outboxConsumers(h)) ?? 0) >= 1, {
      what: 'the outbox consumer',
      timeoutMs: 20_000,
    });

    // Act: an operator deletes the queue (RabbitMQ cancels its consumers)
    const deleted = await management(
      h,
      'DELETE',
      `/queues/${encodeURIComponent(h.vhost.name)}/${encodeURIComponent(OUTBOX)}`,
    );
    expect(deleted.status).toBe(204);

    // Assert: the queue is back, with a consumer, on the same connection
    await waitFor(async () => ((await outboxConsumers(h)) ?? 0) >= 1, {
      what: 'the outbox declared again and consumed',
      timeoutMs: 20_000,
    });
    const ready = await request(h.mail.address.url).get('/readyz');
    expect(ready.body.data.checks['outbox-consumer']).toMatchObject({ ok: true });
    const body = aMailRequest();
    const res = await h.send().send(body);
    expect(res.status).toBe(202);
    await waitForStatus(h, res.body.data.id as string, 'sent', 15_000);
    expect(h.smtp.received.filter((m) => m.envelopeTo.includes(body.to))).toHaveLength(1);
  });
});
