import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '@micromesh/kit/testing';
import request from 'supertest';
import { aNewLog } from './factories';
import { startTestLogger, type TestLogger } from './start-test-logger';

const run = promisify(execFile);
const SENDER = path.join(__dirname, 'support', 'otlp-sender.cjs');

// The logger as an OTLP receiver, fed by the OpenTelemetry SDK's own exporters (protobuf and
// JSON over HTTP, and gRPC): the standard wire, so any SDK or collector can send to it.
describe('logger OTLP receiver and traces API', () => {
  let db: TestDatabase;
  let logger: TestLogger;
  let url: string;

  beforeAll(async () => {
    db = await createTestDatabase('logger_otlp');
    logger = await startTestLogger(db.url);
    url = logger.service.address.url;
  });
  afterAll(async () => {
    await logger.stop();
    await db.drop();
  });

  interface SentTrace {
    traceId: string;
    root: string;
    child: string;
    linked: { traceId: string; spanId: string };
  }

  /**
   * A two-span trace (a server root; a failed client child linking another trace) sent by the
   * SDK's exporter for `wire`, from a plain node process.
   */
  async function sendTrace(wire: 'protobuf' | 'json' | 'grpc', service: string) {
    const target = wire === 'grpc' ? `http://${logger.service.grpcAddress}` : `${url}/v1/traces`;
    const { stdout } = await run(process.execPath, [SENDER, wire, target, service], {
      cwd: path.join(__dirname, '..'),
      timeout: 20_000,
    });
    return JSON.parse(stdout) as SentTrace;
  }

  describe.each([
    ['OTLP/HTTP protobuf', 'protobuf'],
    ['OTLP/HTTP JSON', 'json'],
    ['OTLP/gRPC', 'grpc'],
  ] as const)('receiving %s', (_title, wire) => {
    it('When an SDK exports a trace, then GET /traces/{id} serves its spans with parent link, kind, status, attributes and links', async () => {
      const sent = await sendTrace(wire, 'otlp-sender');

      const res = await request(url).get(`/traces/${sent.traceId}`);

      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ trace_id: sent.traceId, logs: [] });
      const spans = res.body.data.spans as Record<string, unknown>[];
      expect(spans).toEqual([
        expect.objectContaining({
          span_id: sent.root,
          parent_span_id: null,
          service: 'otlp-sender',
          name: 'POST /handle',
          kind: 'server',
          status: 'unset',
          attributes: { 'http.route': '/handle', 'http.response.status_code': 202 },
          links: [],
        }),
        expect.objectContaining({
          span_id: sent.child,
          parent_span_id: sent.root,
          name: 'pg.query:INSERT',
          kind: 'client',
          status: 'error',
          status_message: 'duplicate key',
          attributes: { rows: 3, ok: false },
          links: [{ trace_id: sent.linked.traceId, span_id: sent.linked.spanId }],
        }),
      ]);
      expect(typeof spans[0]?.duration_ms).toBe('number');
      expect(spans[0]?.start).toMatch(/^\d{4}-\d\d-\d\dT/);
    });
  });

  describe('POST /v1/traces', () => {
    it('When the protobuf body is not OTLP, then 400 says so', async () => {
      const res = await request(url)
        .post('/v1/traces')
        .set('content-type', 'application/x-protobuf')
        .send(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]));

      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        error: true,
        message: expect.stringMatching(/^invalid OTLP request/),
      });
    });

    it('When the content type is neither protobuf nor JSON, then 415', async () => {
      const res = await request(url)
        .post('/v1/traces')
        .set('content-type', 'text/plain')
        .send('spans');

      expect(res.status).toBe(415);
    });

    it('When OTLP/JSON carries spans without valid ids, then the others are stored and the answer counts the rejected ones', async () => {
      const traceId = randomBytes(16).toString('hex');
      const span = (spanId: string) => ({
        traceId,
        spanId,
        name: 'json-span',
        kind: 2,
        startTimeUnixNano: '1796000000000000000',
        endTimeUnixNano: '1796000000002500000',
      });
      const body = {
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'curl' } }] },
            scopeSpans: [{ spans: [span(randomBytes(8).toString('hex')), span('not-an-id')] }],
          },
        ],
      };

      const res = await request(url).post('/v1/traces').send(body);

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        partialSuccess: { rejectedSpans: '1', errorMessage: expect.stringContaining('1 spans') },
      });
      const stored = await request(url).get(`/traces/${traceId}`);
      expect(stored.body.data.spans).toEqual([
        expect.objectContaining({ service: 'curl', kind: 'server', duration_ms: 2.5 }),
      ]);
    });
  });

  describe('GET /traces', () => {
    it('When a trace has log entries, then they are served beside its spans', async () => {
      const sent = await sendTrace('protobuf', 'with-logs');
      const log = aNewLog({ trace_id: sent.traceId, span_id: sent.root });
      await request(url).post('/log').send(log).expect(202);

      const res = await request(url).get(`/traces/${sent.traceId}`);

      expect(res.body.data.logs).toEqual([
        expect.objectContaining({ event_id: log.event_id, trace_id: sent.traceId }),
      ]);
    });

    it('When traces are listed for a service with a failure, then the list names the root, its duration and the error', async () => {
      const sent = await sendTrace('protobuf', 'listed-service');

      const res = await request(url)
        .get('/traces')
        .query({ service: 'listed-service', error: 'true' });

      expect(res.status).toBe(200);
      expect(res.body.data.items).toEqual([
        expect.objectContaining({
          trace_id: sent.traceId,
          root_service: 'listed-service',
          root_name: 'POST /handle',
          span_count: 2,
          error: true,
        }),
      ]);
    });

    it('When the query is malformed, then 400 names the field', async () => {
      const res = await request(url).get('/traces').query({ min_ms: 'slow', sort: 'sideways' });

      expect(res.status).toBe(400);
      expect(res.body.details.map((d: { path: string }) => d.path).sort()).toEqual([
        'min_ms',
        'sort',
      ]);
    });

    it('When the trace id is malformed, then 400; when it is unknown, then 404', async () => {
      expect((await request(url).get('/traces/xyz')).status).toBe(400);
      expect((await request(url).get(`/traces/${randomBytes(16).toString('hex')}`)).status).toBe(
        404,
      );
    });
  });
});
