import request from 'supertest';
import { waitFor } from '@micromesh/kit/testing';
import { Client } from 'pg';
import { aMailRequest } from './support/mail-factory';
import { FROM_ADDRESS, startMailHarness, type MailHarness } from './support/mail-harness';

describe('POST /send', () => {
  let h: MailHarness;

  beforeAll(async () => {
    h = await startMailHarness('send');
  });
  afterAll(() => h.close());

  const received = (to: string) => h.smtp.received.filter((m) => m.envelopeTo.includes(to));

  async function storedRow(id: string) {
    const client = new Client({ connectionString: h.db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ status: string; attempts: number }>(
        'SELECT status, attempts FROM mail_messages WHERE id = $1',
        [id],
      );
      return rows[0];
    } finally {
      await client.end();
    }
  }

  it('When a valid message is sent, then 202 "sent to" and an HTML part and a text part arrive', async () => {
    // Arrange
    const body = aMailRequest({ message: 'Line one\nline two.\n\nSecond paragraph.' });

    // Act
    const res = await request(h.mail.address.url).post('/send').send(body);

    // Assert
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      error: false,
      message: `sent to ${body.to}`,
      data: { status: 'sent', attempts: 1 },
    });
    const [mail] = received(body.to);
    expect(mail?.parsed.subject).toBe(body.subject);
    expect(mail?.parsed.from?.value[0]?.address).toBe(body.from);
    expect(mail?.parsed.text).toContain('Line one\nline two.');
    expect(mail?.parsed.html).toContain('Line one<br>line two.</p>');
    // CSS is inlined, not left in a <style> block that mail clients drop
    expect(mail?.parsed.html).toMatch(/<h1 style="[^"]*font-size: 20px/);
    expect(mail?.parsed.html).not.toContain('<style');
    expect(await storedRow(res.body.data.id)).toEqual({ status: 'sent', attempts: 1 });
  });

  it('When from is missing or empty, then the configured FROM_ADDRESS and FROM_NAME are used', async () => {
    // Arrange
    const withoutFrom = aMailRequest({ from: undefined });
    const emptyFrom = aMailRequest({ from: '' });

    // Act
    const first = await request(h.mail.address.url).post('/send').send(withoutFrom);
    const second = await request(h.mail.address.url).post('/send').send(emptyFrom);

    // Assert
    expect([first.status, second.status]).toEqual([202, 202]);
    for (const to of [withoutFrom.to, emptyFrom.to]) {
      const [mail] = received(to);
      expect(mail?.envelopeFrom).toBe(FROM_ADDRESS);
      expect(mail?.parsed.from?.value[0]).toEqual({
        address: FROM_ADDRESS,
        name: 'micromesh test',
      });
    }
  });

  it('When the message holds HTML, then it arrives escaped in the HTML part and verbatim in the text part', async () => {
    // Arrange
    const hostile = '<script>alert(1)</script><img src=x onerror=alert(2)> & $& {{subject}}';
    const body = aMailRequest({ subject: 'Hi <b>there</b>', message: hostile });

    // Act
    const res = await request(h.mail.address.url).post('/send').send(body);

    // Assert
    expect(res.status).toBe(202);
    const [mail] = received(body.to);
    expect(mail?.parsed.html).not.toContain('<script>');
    expect(mail?.parsed.html).not.toContain('<img');
    expect(mail?.parsed.html).toContain(
      '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; &amp; $&amp; {{subject}}',
    );
    expect(mail?.parsed.html).toContain('<h1 style="');
    expect(mail?.parsed.html).toContain('Hi &lt;b&gt;there&lt;/b&gt;</h1>');
    expect(mail?.parsed.text).toContain(hostile);
  });

  it('When the same Idempotency-Key is sent twice, then one mail leaves and both answers name the same message', async () => {
    // Arrange
    const body = aMailRequest();
    const key = `key-${body.to}`;

    // Act
    const first = await request(h.mail.address.url)
      .post('/send')
      .set('Idempotency-Key', key)
      .send(body);
    const second = await request(h.mail.address.url)
      .post('/send')
      .set('Idempotency-Key', key)
      .send(body);

    // Assert
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body.data).toEqual(first.body.data);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(received(body.to)).toHaveLength(1);
  });

  it('When concurrent requests share an Idempotency-Key, then exactly one mail leaves', async () => {
    // Arrange
    const body = aMailRequest();
    const key = `race-${body.to}`;

    // Act
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        request(h.mail.address.url).post('/send').set('Idempotency-Key', key).send(body),
      ),
    );

    // Assert
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    expect(new Set(answers.map((a) => a.body.data.id)).size).toBe(1);
    const id = answers[0]?.body.data.id as string;
    await waitFor(async () => (await storedRow(id))?.status === 'sent', {
      what: 'the mail to be sent',
    });
    expect(received(body.to)).toHaveLength(1);
  });

  it('When an Idempotency-Key is reused with a different message, then 422 and nothing more is sent', async () => {
    // Arrange
    const body = aMailRequest();
    const key = `reuse-${body.to}`;
    await request(h.mail.address.url).post('/send').set('Idempotency-Key', key).send(body);

    // Act
    const res = await request(h.mail.address.url)
      .post('/send')
      .set('Idempotency-Key', key)
      .send({ ...body, subject: 'something else' });

    // Assert
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      error: true,
      message: 'this Idempotency-Key was already used with a different message; use a new key',
    });
    expect(received(body.to)).toHaveLength(1);
  });

  it('When the SMTP server refuses the message for good (550), then 502 with status failed and no retry', async () => {
    // Arrange
    const body = aMailRequest();
    h.smtp.rejectWith(550);

    // Act
    let res;
    try {
      res = await request(h.mail.address.url).post('/send').send(body);
    } finally {
      h.smtp.rejectWith(undefined);
    }

    // Assert
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({
      error: true,
      data: { status: 'failed', attempts: 1, lastError: 'SMTP server rejected the message (550)' },
    });
    await h.mail.sweep();
    expect(await storedRow(res.body.data.id)).toEqual({ status: 'failed', attempts: 1 });
    expect(await h.vhost.queueDepth('mail.outbox')).toBe(0);
  });
});
