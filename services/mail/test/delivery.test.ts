import { waitFor } from '@micromesh/kit/testing';
import { aMailRequest } from './support/mail-factory';
import { startMailHarness, type MailHarness } from './support/mail-harness';
import { statusOf } from './support/mail-waits';

// Delivery through real RabbitMQ and a real SMTP server that is down, then slow; bounded waits.
jest.setTimeout(120_000);

/** Queues `count` mails while SMTP is down; every answer must be 202 "queued", 0 attempts. */
async function queueWhileSmtpDown(h: MailHarness, count: number): Promise<string[]> {
  await h.smtp.stop();
  const answers = await Promise.all(
    Array.from({ length: count }, () => h.send().send(aMailRequest())),
  );
  for (const answer of answers) {
    expect(answer.status).toBe(202);
    expect(answer.body.data).toMatchObject({ status: 'queued', attempts: 0 });
  }
  return answers.map((a) => a.body.data.id as string);
}

/** Copies of each message the SMTP server accepted, by Message-ID. */
function copiesAtSmtp(h: MailHarness, ids: string[]): number[] {
  const counts = h.smtp.countsByMessageId();
  return ids.map((id) => counts.get(`<${id}@example.com>`) ?? 0);
}

async function allSent(h: MailHarness, ids: string[]) {
  const states = await Promise.all(ids.map((id) => statusOf(h, id)));
  return states.every((s) => s.status === 'sent');
}

describe('Delivery after SMTP comes back', () => {
  let h: MailHarness;

  beforeAll(async () => {
    h = await startMailHarness('delivery');
  });
  afterAll(() => h.close());

  it('When 30 mails are queued while SMTP is down, then each is delivered exactly once after it returns', async () => {
    // Arrange
    const ids = await queueWhileSmtpDown(h, 30);

    // Act
    await h.smtp.start();

    // Assert: every Message-ID arrived once at the SMTP server, and stays once
    await waitFor(() => allSent(h, ids), {
      what: 'every queued mail to be sent',
      timeoutMs: 60_000,
    });
    await h.mail.sweep();
    expect(copiesAtSmtp(h, ids)).toEqual(ids.map(() => 1));
  });
});

describe('Delivery through an SMTP server that takes 5 s per message', () => {
  let h: MailHarness;

  beforeAll(async () => {
    // Leases far shorter than one SMTP exchange, sweeps ten times a second, two replicas: an
    // attempt whose lease ran out while it waited would be released, claimed by the other
    // replica and sent again. The renewal is what keeps it single.
    const leases = {
      MAIL_LEASE_MS: '1500',
      MAIL_SWEEP_INTERVAL_MS: '100',
      MAIL_SMTP_TIMEOUT_MS: '15000',
    };
    h = await startMailHarness('slow', leases);
    await h.startReplica(leases);
  });
  afterAll(() => h.close());

  it('When mails queued while SMTP was down meet a slow SMTP server, then each is delivered exactly once', async () => {
    // Arrange
    const ids = await queueWhileSmtpDown(h, 8);

    // Act
    h.smtp.delayReplies(5_000);
    await h.smtp.start();

    // Assert
    await waitFor(() => allSent(h, ids), {
      what: 'every queued mail to be sent',
      timeoutMs: 90_000,
    });
    // A second copy would still be on its way in: wait until the server holds none.
    await waitFor(() => h.smtp.inFlight === 0, { what: 'the SMTP server to be idle' });
    await h.mail.sweep();
    expect(copiesAtSmtp(h, ids)).toEqual(ids.map(() => 1));
    expect(h.logs).not.toContainEqual(
      expect.objectContaining({ msg: 'delivery lease lost while the attempt was running' }),
    );
  });
});
