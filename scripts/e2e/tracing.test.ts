import { randomUUID } from 'node:crypto';
import { waitFor } from '@micromesh/kit/testing';
import { call, findLogs, login } from './support/broker-api';
import { ADMIN, startTestMesh, type TestMesh } from './support/test-mesh';
import { clientTraceContext, spanTree, waitForTrace, type StoredSpan } from './support/traces';

// Every service of the real mesh exports its spans to the logger (the launcher's default), which
// stores them beside the logs; the broker serves them at /api/traces. These tests read the span
// trees back and compare them whole: services, kinds, names and parent links.
describe('one request, one trace', () => {
  let mesh: TestMesh;
  let token: string;

  beforeAll(async () => {
    mesh = await startTestMesh('e2e_trace');
    token = await login(mesh.brokerUrl);
    // The first protected call fetches the JWKS from auth inside its trace; later ones use the
    // cached keys, so the trees below are the steady-state ones.
    await call(mesh.brokerUrl, 'POST', '/handle', {
      token,
      body: { action: 'log', log: { name: 'warm-up', data: 'warm-up' } },
    });
  }, 150_000);
  afterAll(() => mesh?.stop(), 60_000);

  const marker = () => `trace-${randomUUID()}`;

  async function handle(body: unknown, traceparent?: string) {
    const res = await fetch(`${mesh.brokerUrl}/handle`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        ...(traceparent ? { traceparent } : {}),
      },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(202);
  }

  const byName = (spans: StoredSpan[], name: string) => spans.find((s) => s.name === name);

  describe('log action', () => {
    it('When a log is written without a client trace, then its stored row names a trace broker → logger gRPC → PostgreSQL insert', async () => {
      const data = marker();

      await handle({ action: 'log', log: { name: 'traced', data } });

      const [row] = await waitFor(async () => {
        const rows = await findLogs(mesh.logger, data);
        return rows.length > 0 ? rows : undefined;
      });
      expect(row?.trace_id).toMatch(/^[0-9a-f]{32}$/);
      const trace = await waitForTrace(mesh.brokerUrl, token, row!.trace_id!, 4);
      expect(spanTree(trace.spans)).toEqual([
        {
          span: 'broker server POST /handle',
          children: [
            {
              span: 'broker client grpc.logs.LogService/WriteLogs',
              children: [
                {
                  span: 'logger server grpc.logs.LogService/WriteLogs',
                  children: [{ span: 'logger client pg.query:logs_insert_many', children: [] }],
                },
              ],
            },
          ],
        },
      ]);
      const root = byName(trace.spans, 'POST /handle')!;
      expect(root.parent_span_id).toBeNull();
      // The row carries the span of the code that wrote it: the broker's request.
      expect(row).toMatchObject({ trace_id: trace.trace_id });
      expect(trace.logs).toEqual([
        expect.objectContaining({ data, trace_id: trace.trace_id, span_id: root.span_id }),
      ]);
    });

    it("When a client sends a traceparent, then /api/traces/{its trace id} holds the broker's, the logger's and PostgreSQL's spans under the client's span", async () => {
      const client = clientTraceContext();
      const data = marker();

      await handle({ action: 'log', log: { name: 'traced', data } }, client.traceparent);

      const trace = await waitForTrace(mesh.brokerUrl, token, client.traceId, 4);
      expect(trace.trace_id).toBe(client.traceId);
      expect(new Set(trace.spans.map((s) => s.service))).toEqual(new Set(['broker', 'logger']));
      expect(byName(trace.spans, 'POST /handle')?.parent_span_id).toBe(client.spanId);
      const insert = trace.spans.find((s) => s.name.startsWith('pg.query:'));
      expect(insert?.attributes).toMatchObject({ 'db.system.name': 'postgresql' });
      expect(trace.logs.map((l) => [l.data, l.trace_id])).toEqual([[data, client.traceId]]);
    });
  });

  describe('event action', () => {
    it('When an event carries a client traceparent, then one trace runs broker publish → listener consume → logger WriteLogs → insert, and the stored row names it', async () => {
      const client = clientTraceContext();
      const data = marker();

      await handle(
        { action: 'event', event: { name: 'traced', data, level: 'INFO' } },
        client.traceparent,
      );

      const trace = await waitForTrace(mesh.brokerUrl, token, client.traceId, 6);
      expect(spanTree(trace.spans)).toEqual([
        {
          span: 'broker server POST /handle',
          children: [
            {
              span: 'broker producer logs_topic publish',
              children: [
                {
                  span: 'listener consumer logs.listener process',
                  children: [
                    {
                      span: 'listener client grpc.logs.LogService/WriteLogs',
                      children: [
                        {
                          span: 'logger server grpc.logs.LogService/WriteLogs',
                          children: [
                            { span: 'logger client pg.query:logs_insert_many', children: [] },
                          ],
                        },
                      ],
                    },
                  ],
                },
              ],
            },
          ],
        },
      ]);
      expect(byName(trace.spans, 'POST /handle')?.parent_span_id).toBe(client.spanId);
      // The batch span links every message it carried: here the one publish.
      const publish = byName(trace.spans, 'logs_topic publish')!;
      expect(byName(trace.spans, 'logs.listener process')?.links).toEqual([
        { trace_id: client.traceId, span_id: publish.span_id },
      ]);
      const [row] = await findLogs(mesh.logger, data);
      expect(row?.trace_id).toBe(client.traceId);
      expect(trace.logs.map((l) => l.data)).toEqual([data]);
    });
  });

  describe('mail action', () => {
    it('When a mail carries a client traceparent, then one trace runs broker → mail → its outbox in PostgreSQL, and on through the outbox queue to the SMTP send', async () => {
      const client = clientTraceContext();

      await handle(
        { action: 'mail', mail: { to: 'traced@example.com', subject: 'traced', message: 'hi' } },
        client.traceparent,
      );

      const trace = await waitForTrace(mesh.brokerUrl, token, client.traceId, 10);
      expect(spanTree(trace.spans)).toEqual([
        {
          span: 'broker server POST /handle',
          children: [
            {
              span: 'broker client POST',
              children: [
                {
                  span: 'mail server POST /send',
                  children: [
                    { span: 'mail client pg.query:INSERT', children: [] },
                    { span: 'mail client pg.query:INSERT', children: [] },
                    {
                      span: 'mail producer mail publish',
                      children: [
                        {
                          span: 'mail consumer mail.outbox process',
                          children: [
                            { span: 'mail client pg.query:UPDATE', children: [] },
                            { span: 'mail client pg.query:UPDATE', children: [] },
                            { span: 'mail client smtp send', children: [] },
                          ],
                        },
                      ],
                    },
                  ],
                },
              ],
            },
          ],
        },
      ]);
      expect(byName(trace.spans, 'smtp send')?.status).not.toBe('error');
    });
  });

  describe('auth action', () => {
    it('When a login carries a client traceparent, then one trace runs broker → auth → bcrypt and PostgreSQL, and on through the login event', async () => {
      const client = clientTraceContext();

      const res = await fetch(`${mesh.brokerUrl}/handle`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', traceparent: client.traceparent },
        body: JSON.stringify({ action: 'auth', auth: ADMIN }),
      });
      expect(res.status).toBe(202);

      // broker 2, auth server + bcrypt + its statements, the login event through the listener.
      const trace = await waitForTrace(mesh.brokerUrl, token, client.traceId, 10);
      const [root] = spanTree(trace.spans);
      expect(root?.span).toBe('broker server POST /handle');
      expect(root?.children.map((c) => c.span)).toEqual(['broker client POST']);
      const authServer = root!.children[0]!.children;
      expect(authServer.map((c) => c.span)).toEqual(['auth server POST /authenticate']);
      const inAuth = authServer[0]!.children.map((c) => c.span);
      expect(inAuth).toContain('auth internal bcrypt compare');
      expect(inAuth).toContain('auth client pg.query:SELECT');
      expect(inAuth).toContain('auth producer logs_topic publish');
      expect(new Set(trace.spans.map((s) => s.service))).toEqual(
        new Set(['broker', 'auth', 'listener', 'logger']),
      );
    });
  });

  describe('GET /api/traces', () => {
    it('When traces are listed by service, then the listener filter finds the event trace with its root and span count', async () => {
      const client = clientTraceContext();
      await handle(
        { action: 'event', event: { name: 'listed', data: marker(), level: 'INFO' } },
        client.traceparent,
      );
      await waitForTrace(mesh.brokerUrl, token, client.traceId, 6);

      const res = await call<{ items: Record<string, unknown>[] }>(
        mesh.brokerUrl,
        'GET',
        '/api/traces?service=listener&limit=200',
        { token },
      );

      expect(res.status).toBe(200);
      expect(res.body.data?.items).toContainEqual(
        expect.objectContaining({
          trace_id: client.traceId,
          root_service: 'broker',
          root_name: 'POST /handle',
          span_count: 6,
          error: false,
        }),
      );
    });

    it('When no token is sent, then traces are refused with 401', async () => {
      const res = await call(mesh.brokerUrl, 'GET', '/api/traces');
      expect(res.status).toBe(401);
    });
  });
});
