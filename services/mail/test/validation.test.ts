import { MAIL_LIMITS } from '@micromesh/contracts';
import request from 'supertest';
import { aMailRequest } from './support/mail-factory';
import { startMailHarness, type MailHarness } from './support/mail-harness';
import { waitForStatus } from './support/mail-waits';

describe('POST /send with hostile or broken input', () => {
  let h: MailHarness;

  beforeAll(async () => {
    h = await startMailHarness('validation');
  });
  afterAll(() => h.close());

  const cases: [string, Record<string, unknown>, string][] = [
    [
      'a CR/LF header injection in the subject',
      { subject: 'Hi\r\nBcc: victim@example.com' },
      'subject',
    ],
    ['a bare LF in the subject', { subject: 'Hi\nBcc: victim@example.com' }, 'subject'],
    ['a CR/LF injection in to', { to: 'a@example.com\r\nBcc: victim@example.com' }, 'to'],
    ['a CR/LF injection in from', { from: 'a@example.com\nBcc: victim@example.com' }, 'from'],
    ['two recipients separated by a comma', { to: 'a@example.com, b@example.com' }, 'to'],
    ['two recipients separated by a semicolon', { to: 'a@example.com;b@example.com' }, 'to'],
    ['an address group', { to: 'friends: a@example.com, b@example.com;' }, 'to'],
    ['a display name with angle brackets', { to: 'Eve <eve@example.com>' }, 'to'],
    ['a quoted local part hiding an @', { to: '"victim@example.com"@evil.example' }, 'to'],
    ['a comment in the address', { to: 'a(comment)@example.com' }, 'to'],
    ['an IP-literal domain', { to: 'a@[127.0.0.1]' }, 'to'],
    ['two @ signs', { to: 'a@b@example.com' }, 'to'],
    ['a recipient array', { to: ['a@example.com', 'b@example.com'] }, 'to'],
    ['an over-long address', { to: `${'a'.repeat(64)}@${'b'.repeat(200)}.com` }, 'to'],
    ['an over-long local part', { to: `${'a'.repeat(65)}@example.com` }, 'to'],
    ['an over-long subject', { subject: 's'.repeat(201) }, 'subject'],
    ['an over-long message', { message: 'm'.repeat(20_001) }, 'message'],
    ['an empty subject', { subject: '  ' }, 'subject'],
    ['a missing message', { message: undefined }, 'message'],
    ['a NUL byte in the message', { message: 'hello\u0000world' }, 'message'],
    ['a non-string from', { from: 42 }, 'from'],
  ];

  it.each(cases)(
    'When the body has %s, then 400 names the field and no mail leaves',
    async (_name, change, field) => {
      // Arrange
      const body = { ...aMailRequest(), ...change };
      const before = h.smtp.received.length;

      // Act
      const res = await h.send().send(body);

      // Assert
      expect(res.status).toBe(400);
      expect(res.body.error).toBe(true);
      expect(res.body.message).toBe('invalid mail request');
      expect(res.body.details.map((d: { path: string }) => d.path)).toContain(field);
      expect(h.smtp.received.length).toBe(before);
    },
  );

  it('When the subject and message are at the shared limits, then 202; one character over, then 400 naming the limit', async () => {
    // Arrange
    const atLimits = aMailRequest({
      subject: 's'.repeat(MAIL_LIMITS.subjectLength),
      message: 'm'.repeat(MAIL_LIMITS.messageLength),
    });
    const overLimits = {
      ...atLimits,
      subject: 's'.repeat(MAIL_LIMITS.subjectLength + 1),
      message: 'm'.repeat(MAIL_LIMITS.messageLength + 1),
    };

    // Act
    const accepted = await h.send().send(atLimits);
    const refused = await h.send().send(overLimits);

    // Assert
    expect(accepted.status).toBe(202);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      error: true,
      message: 'invalid mail request',
      details: [
        { path: 'subject', message: 'must be at most 200 characters' },
        { path: 'message', message: 'must be at most 20000 characters' },
      ],
    });
  });

  it('When the subject carries CR/LF, then the detail says line breaks are not allowed', async () => {
    // Arrange
    const body = aMailRequest({ subject: 'Hi\r\nBcc: victim@example.com' });

    // Act
    const res = await h.send().send(body);

    // Assert
    expect(res.body.details).toContainEqual({
      path: 'subject',
      message: 'must not contain line breaks',
    });
  });

  it('When the body asks for attachments or extra headers, then they are ignored and only the message is sent', async () => {
    // Arrange
    const body = {
      ...aMailRequest(),
      attachments: [{ path: '/etc/passwd' }, { href: 'http://127.0.0.1:1/secret' }],
      headers: { Bcc: 'victim@example.com' },
      bcc: 'victim@example.com',
    };

    // Act
    const res = await h.send().send(body);

    // Assert
    expect(res.status).toBe(202);
    await waitForStatus(h, res.body.data.id, 'sent');
    const mail = h.smtp.received.find((m) => m.envelopeTo.includes(body.to));
    expect(mail?.envelopeTo).toEqual([body.to]);
    expect(mail?.parsed.attachments).toHaveLength(0);
    expect(mail?.raw).not.toContain('root:');
    expect(mail?.raw.toLowerCase()).not.toContain('bcc');
  });

  it('When the Idempotency-Key header is too long, then 400 and no mail leaves', async () => {
    // Arrange
    const body = aMailRequest();

    // Act
    const res = await h.send().set('Idempotency-Key', 'k'.repeat(201)).send(body);

    // Assert
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('invalid Idempotency-Key header');
    expect(h.smtp.received.some((m) => m.envelopeTo.includes(body.to))).toBe(false);
  });

  it('When the body is not JSON, then 415 in the envelope', async () => {
    // Act
    const res = await h.send().set('content-type', 'text/plain').send('to=a@example.com');

    // Assert
    expect(res.status).toBe(415);
    expect(res.body.error).toBe(true);
  });
});

describe('GET /messages/:id', () => {
  let h: MailHarness;

  beforeAll(async () => {
    h = await startMailHarness('status');
  });
  afterAll(() => h.close());

  it('When the id belongs to a sent message, then its status, attempts and no content are shown', async () => {
    // Arrange
    const sent = await h.send().send(aMailRequest());
    await waitForStatus(h, sent.body.data.id, 'sent');

    // Act
    const res = await request(h.mail.address.url).get(`/messages/${sent.body.data.id}`);

    // Assert
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      error: false,
      message: 'message is sent',
      data: { id: sent.body.data.id, status: 'sent', attempts: 1, lastError: null },
    });
    expect(res.body.data.sentAt).toEqual(expect.any(String));
    expect(JSON.stringify(res.body)).not.toContain('example.com');
  });

  it('When the id is unknown, then 404', async () => {
    // Act
    const res = await request(h.mail.address.url).get(
      '/messages/6f1c1f8e-4a4b-4c7e-9a59-9d3c0c9d2b11',
    );

    // Assert
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: true, message: 'no message with this id' });
  });

  it('When the id is not a UUID, then 400', async () => {
    // Act
    const res = await request(h.mail.address.url).get("/messages/1' OR '1'='1");

    // Assert
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('invalid message id');
  });
});
