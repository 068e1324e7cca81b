import { randomUUID } from 'node:crypto';
import { waitFor } from '@micromesh/kit/testing';
import { call, findLogs, inbox, login } from './support/broker-api';
import { ADMIN, startTestMesh, type TestMesh } from './support/test-mesh';

// The whole mesh as real processes (the launcher scripts/up uses), driven through the broker
// over HTTP, with outcomes checked where they land: the logger's store and the SMTP sink.
describe('the mesh through the broker', () => {
  let mesh: TestMesh;
  let token: string;

  beforeAll(async () => {
    mesh = await startTestMesh('e2e_http');
    token = await login(mesh.brokerUrl);
  }, 150_000);
  afterAll(() => mesh?.stop(), 60_000);

  const marker = () => `e2e-${randomUUID()}`;

  describe('auth action', () => {
    it('When the dev admin logs in, then the token is accepted on a protected route', async () => {
      const res = await call<{ user: { email: string }; token: { access_token: string } }>(
        mesh.brokerUrl,
        'POST',
        '/handle',
        { body: { action: 'auth', auth: ADMIN } },
      );

      expect(res).toMatchObject({ status: 202, body: { error: false } });
      expect(res.body.data?.user.email).toBe(ADMIN.email);
      const health = await call(mesh.brokerUrl, 'GET', '/api/health', {
        token: res.body.data?.token.access_token,
      });
      expect(health.status).toBe(200);
    });

    it('When the password is wrong, then the answer is 401 "invalid credentials"', async () => {
      const res = await call(mesh.brokerUrl, 'POST', '/handle', {
        body: { action: 'auth', auth: { email: ADMIN.email, password: 'not-the-password' } },
      });

      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error: true, message: 'invalid credentials' });
    });

    it('When a protected action comes without a token, then it is refused with 401 and not logged', async () => {
      const data = marker();

      const res = await call(mesh.brokerUrl, 'POST', '/handle', {
        body: { action: 'log', log: { name: 'event', data } },
      });

      expect(res.status).toBe(401);
      expect(res.body.error).toBe(true);
      expect(await findLogs(mesh.loggerUrl, data)).toEqual([]);
    });
  });

  describe('log action', () => {
    it('When a log is sent through the broker, then the logger stores it', async () => {
      const data = marker();

      const res = await call(mesh.brokerUrl, 'POST', '/handle', {
        token,
        body: { action: 'log', log: { name: 'event', data } },
      });

      expect(res).toMatchObject({ status: 202, body: { error: false } });
      const stored = await findLogs(mesh.loggerUrl, data);
      expect(stored).toEqual([expect.objectContaining({ name: 'event', data })]);
    });

    it('When a log is sent to the /log-grpc alias, then the logger stores it too', async () => {
      const data = marker();

      const res = await call(mesh.brokerUrl, 'POST', '/log-grpc', {
        token,
        body: { action: 'log', log: { name: 'grpc-event', data } },
      });

      expect(res).toMatchObject({ status: 202, body: { error: false } });
      expect(await findLogs(mesh.loggerUrl, data)).toEqual([
        expect.objectContaining({ name: 'grpc-event', data }),
      ]);
    });
  });

  describe('event action', () => {
    it('When an event is published, then the listener forwards it and the logger stores it once', async () => {
      const data = marker();

      const res = await call(mesh.brokerUrl, 'POST', '/handle', {
        token,
        body: { action: 'event', event: { name: 'e2e-event', data, level: 'WARNING' } },
      });

      expect(res).toMatchObject({ status: 202, body: { error: false } });
      const stored = await waitFor(
        async () => {
          const found = await findLogs(mesh.loggerUrl, data);
          return found.length ? found : null;
        },
        { timeoutMs: 30_000, what: 'the event in the logger' },
      );
      expect(stored).toEqual([
        expect.objectContaining({ name: 'e2e-event', data, level: 'WARNING' }),
      ]);
    });
  });

  describe('Idempotency-Key', () => {
    /** logger_entries_total{outcome} from the logger's /metrics: entries it wrote, or found stored. */
    const loggerEntries = async () => {
      const text = await (await fetch(`${mesh.loggerUrl}/metrics`)).text();
      const count = (outcome: string) =>
        Number(
          new RegExp(`^logger_entries_total\\{[^}]*outcome="${outcome}"[^}]*\\} (\\d+)$`, 'm').exec(
            text,
          )?.[1] ?? 0,
        );
      return { written: count('stored') };
    };
    const stored = (data: string) =>
      waitFor(
        async () => {
          const found = await findLogs(mesh.loggerUrl, data);
          return found.length ? found : null;
        },
        { timeoutMs: 30_000, what: `${data} in the logger` },
      );

    it('When an event is posted twice with one key, then one event_id, one record, and the logger writes it once; another body is 422', async () => {
      const data = marker();
      const headers = { 'idempotency-key': `e2e-${randomUUID()}` };
      const body = { action: 'event', event: { name: 'e2e-idempotent', data } };
      const before = await loggerEntries();

      const first = await call(mesh.brokerUrl, 'POST', '/handle', { token, body, headers });
      const second = await call(mesh.brokerUrl, 'POST', '/handle', { token, body, headers });
      const reused = await call(mesh.brokerUrl, 'POST', '/handle', {
        token,
        headers,
        body: { action: 'event', event: { name: 'e2e-idempotent', data: marker() } },
      });

      expect([first.status, second.status, reused.status]).toEqual([202, 202, 422]);
      expect(second.body.data).toEqual(first.body.data);
      expect(await stored(data)).toHaveLength(1);
      // A fence behind it in the queue: once it is stored, a second copy would have been too.
      const fence = marker();
      await call(mesh.brokerUrl, 'POST', '/handle', {
        token,
        body: { action: 'event', event: { name: 'e2e-fence', data: fence } },
      });
      await stored(fence);
      // Written: the event and the fence, nothing more (a copy under any event_id would be a
      // write; a listener retry on a busy machine would only add duplicates).
      expect((await loggerEntries()).written - before.written).toBe(2);
    });
  });

  describe('mail action', () => {
    it('When a mail is sent, then it arrives at the SMTP sink with its subject and recipient', async () => {
      const subject = `Test email ${marker()}`;

      const res = await call(mesh.brokerUrl, 'POST', '/handle', {
        token,
        body: {
          action: 'mail',
          mail: { to: 'you@there.com', subject, message: 'Hello world!' },
        },
      });

      expect(res).toMatchObject({
        status: 202,
        body: { error: false, data: { status: 'queued' } },
      });
      const mail = await waitFor(
        async () => (await inbox(mesh.inboxUrl)).find((m) => m.subject === subject),
        { timeoutMs: 30_000, what: 'the mail in the SMTP sink' },
      );
      expect(mail.to).toEqual([expect.objectContaining({ address: 'you@there.com' })]);
      expect(mail.text).toContain('Hello world!');
    });
  });
});
