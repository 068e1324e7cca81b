import request from 'supertest';
import { waitFor } from '@micromesh/kit/testing';
import { aMailRequest } from './support/mail-factory';
import { startMailHarness, type MailHarness } from './support/mail-harness';
import { statusOf, waitForStatus } from './support/mail-waits';

// Retries and pauses take a while on a loaded machine; every wait inside is bounded by its own
// waitFor timeout.
jest.setTimeout(90_000);

async function readinessDetail(h: MailHarness, check: string) {
  const res = await request(h.mail.address.url).get('/readyz');
  const body = res.body as { data?: { checks?: Record<string, { ok: boolean; error?: string }> } };
  return { status: res.status, check: body.data?.checks?.[check] };
}

async function pausedGauge(h: MailHarness) {
  const text = (await request(h.mail.address.url).get('/metrics')).text;
  return /^mail_deliveries_paused(?:\{[^}]*\})? (\d)/m.exec(text)?.[1];
}

describe('POST /send when the SMTP server refuses our set-up, not the message', () => {
  let h: MailHarness;

  beforeAll(async () => {
    h = await startMailHarness('setup-refusal');
  });
  afterAll(() => h.close());
  afterEach(() => {
    h.smtp.refuseSender(undefined);
    h.smtp.refuseGreeting(undefined);
  });

  /** A greeting is refused to new connections: drop the pooled ones the earlier cases opened. */
  const refuseGreeting = async (code: number | undefined) => {
    await h.smtp.stop();
    h.smtp.refuseGreeting(code);
    await h.smtp.start();
  };
  const refusals: [string, (code: number | undefined) => unknown, number][] = [
    ['MAIL FROM with 530 (no login sent)', (code) => h.smtp.refuseSender(code), 530],
    [
      'MAIL FROM with 553 (sender not owned by the login)',
      (code) => h.smtp.refuseSender(code),
      553,
    ],
    ['the greeting with 554 (our address blocklisted)', refuseGreeting, 554],
  ];

  it.each(refusals)(
    'When the server refuses %s, then no mail fails, deliveries pause (readiness detail, metric) and every mail is delivered once the set-up works',
    async (_what, refuse, code) => {
      // Arrange
      await refuse(code);
      const bodies = [aMailRequest(), aMailRequest(), aMailRequest()];

      // Act
      const ids: string[] = [];
      for (const body of bodies) {
        const res = await h.send().send(body);
        expect(res.status).toBe(202);
        ids.push(res.body.data.id as string);
      }

      // Assert: attempts were made and refused, yet every mail is still queued, not failed
      await waitFor(async () => (await statusOf(h, ids[0]!)).attempts >= 1, {
        what: 'a first refused attempt',
        timeoutMs: 20_000,
      });
      for (const id of ids) expect((await statusOf(h, id)).status).not.toBe('failed');
      const paused = await waitFor(
        async () => {
          const { status, check } = await readinessDetail(h, 'smtp-deliveries');
          return check?.ok === false ? { status, check } : undefined;
        },
        { what: 'readiness to say deliveries are paused', timeoutMs: 10_000 },
      );
      expect(paused.status).toBe(200); // mail is still accepted: a detail, not "not ready"
      expect(paused.check.error).toMatch(/deliveries paused: SMTP/);
      expect(await pausedGauge(h)).toBe('1');
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // more rounds of refusals
      for (const id of ids) {
        const state = await statusOf(h, id);
        expect(state.status).toBe('queued');
      }

      // Act: the operator fixes the set-up
      await refuse(undefined);

      // Assert: everything is delivered, once each
      for (const id of ids) await waitForStatus(h, id, 'sent', 40_000);
      for (const body of bodies) {
        expect(h.smtp.received.filter((m) => m.envelopeTo.includes(body.to))).toHaveLength(1);
      }
      await waitFor(async () => (await readinessDetail(h, 'smtp-deliveries')).check?.ok, {
        what: 'readiness to say deliveries run again',
        timeoutMs: 10_000,
      });
    },
  );

  it('When the server refuses the recipient for good (550 to RCPT TO), then that mail alone fails at once', async () => {
    // Arrange: refuse only the data (the message), as before: the per-message rule still holds
    h.smtp.rejectWith(550);
    try {
      const res = await h.send().send(aMailRequest());

      // Act + Assert
      const failed = await waitForStatus(h, res.body.data.id as string, 'failed');
      expect(failed).toMatchObject({
        attempts: 1,
        lastError: 'SMTP server rejected the message (550)',
      });
      expect((await readinessDetail(h, 'smtp-deliveries')).check?.ok).toBe(true);
    } finally {
      h.smtp.rejectWith(undefined);
    }
  });
});
