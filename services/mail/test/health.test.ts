import request from 'supertest';
import { waitFor } from '@micromesh/kit/testing';
import { startMailHarness, type MailHarness } from './support/mail-harness';

describe('GET /readyz', () => {
  let h: MailHarness;

  beforeAll(async () => {
    h = await startMailHarness('health');
  });
  afterAll(() => h.close());

  it('When PostgreSQL, SMTP and RabbitMQ answer, then /livez and /readyz answer 200 with every check ok', async () => {
    // Arrange
    const http = request(h.mail.address.url);

    // Act
    const live = await http.get('/livez');
    const ready = await waitFor(
      async () => {
        const res = await http.get('/readyz');
        return res.body.data?.checks?.rabbitmq?.ok ? res : undefined;
      },
      { what: 'RabbitMQ to connect' },
    );

    // Assert
    expect(live.status).toBe(200);
    expect(ready.status).toBe(200);
    expect(ready.body.data.checks).toMatchObject({
      postgres: { ok: true },
      smtp: { ok: true, required: false },
      rabbitmq: { ok: true, required: false },
    });
  });

  it('When the SMTP server is down, then /readyz still answers 200 and reports smtp as failing', async () => {
    // Arrange
    await h.smtp.stop();

    try {
      // Act (the SMTP check caches its result for a few seconds)
      const ready = await waitFor(
        async () => {
          const res = await request(h.mail.address.url).get('/readyz');
          return res.body.data?.checks?.smtp?.ok === false ? res : undefined;
        },
        { what: 'readiness to report SMTP down', timeoutMs: 15_000 },
      );

      // Assert
      expect(ready.status).toBe(200);
      expect(ready.body.data.ready).toBe(true);
      expect(ready.body.data.checks.postgres.ok).toBe(true);
    } finally {
      await h.smtp.start();
    }
  });
});
