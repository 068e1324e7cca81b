import { Client } from 'pg';
import { aMailRequest } from './support/mail-factory';
import {
  ALLOWED_SENDER,
  MAIL_FROM,
  startMailHarness,
  type MailHarness,
} from './support/mail-harness';
import { receivedBy, statusOf, waitForStatus } from './support/mail-waits';

describe('POST /send', () => {
  let h: MailHarness;

  beforeAll(async () => {
    h = await startMailHarness('send');
  });
  afterAll(() => h.close());

  async function storedRow(id: string) {
    const client = new Client({ connectionString: h.db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ status: string; attempts: number; sender: string }>(
        'SELECT status, attempts, sender FROM mail_messages WHERE id = $1',
        [id],
      );
      return rows[0];
    } finally {
      await client.end();
    }
  }

  it('When a valid message is sent, then 202 "queued" at once, and an HTML part and a text part arrive', async () => {
    // Arrange
    const body = aMailRequest({ message: 'Line one\nline two.\n\nSecond paragraph.' });

    // Act
    const res = await h.send().send(body);

    // Assert: accepted before any SMTP attempt
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      error: false,
      message: `queued for ${body.to}; it will be delivered in the background`,
      data: { status: 'queued', attempts: 0 },
    });
    expect(res.headers.location).toBe(`/messages/${res.body.data.id}`);
    await waitForStatus(h, res.body.data.id, 'sent');
    const [mail] = receivedBy(h, body.to);
    expect(mail?.parsed.subject).toBe(body.subject);
    expect(mail?.parsed.from?.value[0]?.address).toBe(body.from);
    expect(mail?.parsed.messageId).toBe(`<${res.body.data.id}@example.com>`);
    expect(mail?.parsed.text).toContain('Line one\nline two.');
    expect(mail?.parsed.html).toContain('Line one<br>line two.</p>');
    // CSS is inlined, not left in a <style> block that mail clients drop
    expect(mail?.parsed.html).toMatch(/<h1 style="[^"]*font-size: 20px/);
    expect(mail?.parsed.html).not.toContain('<style');
    expect(await storedRow(res.body.data.id)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('When from is missing or empty, then the configured MAIL_FROM and FROM_NAME are used', async () => {
    // Arrange
    const withoutFrom = aMailRequest({ from: undefined });
    const emptyFrom = aMailRequest({ from: '' });

    // Act
    const first = await h.send().send(withoutFrom);
    const second = await h.send().send(emptyFrom);

    // Assert
    expect([first.status, second.status]).toEqual([202, 202]);
    await waitForStatus(h, first.body.data.id, 'sent');
    await waitForStatus(h, second.body.data.id, 'sent');
    for (const to of [withoutFrom.to, emptyFrom.to]) {
      const [mail] = receivedBy(h, to);
      expect(mail?.envelopeFrom).toBe(MAIL_FROM);
      expect(mail?.parsed.from?.value[0]).toEqual({ address: MAIL_FROM, name: 'micromesh test' });
    }
  });

  it('When from is on MAIL_FROM_ALLOWLIST (in any case), then the mail goes out from it', async () => {
    // Arrange
    const body = aMailRequest({ from: ALLOWED_SENDER.toUpperCase() });

    // Act
    const res = await h.send().send(body);

    // Assert
    expect(res.status).toBe(202);
    await waitForStatus(h, res.body.data.id, 'sent');
    expect(receivedBy(h, body.to)[0]?.envelopeFrom).toBe(ALLOWED_SENDER);
  });

  it('When from is any other address, then 400 names the field, and nothing is stored or sent', async () => {
    // Arrange
    const body = aMailRequest({ from: 'ceo@bank-example.com' });

    // Act
    const res = await h.send().send(body);

    // Assert
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
    const client = new Client({ connectionString: h.db.url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT 1 FROM mail_messages WHERE recipient = $1', [
        body.to,
      ]);
      expect(rows).toHaveLength(0);
    } finally {
      await client.end();
    }
    expect(receivedBy(h, body.to)).toHaveLength(0);
  });

  it('When X-Principal is missing, then 400 and nothing is stored', async () => {
    // Arrange
    const body = aMailRequest();

    // Act
    const res = await h.send().unset('X-Principal').send(body);

    // Assert
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(
      'invalid or missing X-Principal header (the calling principal, set by the broker)',
    );
  });

  it('When the message holds HTML, then it arrives escaped in the HTML part and verbatim in the text part', async () => {
    // Arrange
    const hostile = '<script>alert(1)</script><img src=x onerror=alert(2)> & $& {{subject}}';
    const body = aMailRequest({ subject: 'Hi <b>there</b>', message: hostile });

    // Act
    const res = await h.send().send(body);

    // Assert
    expect(res.status).toBe(202);
    await waitForStatus(h, res.body.data.id, 'sent');
    const [mail] = receivedBy(h, body.to);
    expect(mail?.parsed.html).not.toContain('<script>');
    expect(mail?.parsed.html).not.toContain('<img');
    expect(mail?.parsed.html).toContain(
      '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; &amp; $&amp; {{subject}}',
    );
    expect(mail?.parsed.html).toContain('<h1 style="');
    expect(mail?.parsed.html).toContain('Hi &lt;b&gt;there&lt;/b&gt;</h1>');
    expect(mail?.parsed.text).toContain(hostile);
  });

  it('When the SMTP server refuses the message for good (550), then it ends failed without a retry', async () => {
    // Arrange
    const body = aMailRequest();
    h.smtp.rejectWith(550);

    // Act
    let failed;
    try {
      const res = await h.send().send(body);
      expect(res.status).toBe(202);
      failed = await waitForStatus(h, res.body.data.id, 'failed');
    } finally {
      h.smtp.rejectWith(undefined);
    }

    // Assert
    expect(failed).toMatchObject({
      attempts: 1,
      lastError: 'SMTP server rejected the message (550)',
    });
    await h.mail.sweep();
    expect(await statusOf(h, failed.id)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(await h.vhost.queueDepth('mail.outbox')).toBe(0);
  });
});
