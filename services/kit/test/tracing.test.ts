import { execFile } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  context,
  propagation,
  trace,
  SpanKind as ApiSpanKind,
  SpanStatusCode,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import {
  Health,
  createHttpServer,
  createMetrics,
  currentTraceIds,
  tracingStats,
  withConsumerBatchSpan,
} from '@micromesh/kit';
import { captureLogs, createTestVhost, waitFor, type TestVhost } from '@micromesh/kit/testing';
import { tracingSettings, TracingConfigError } from '../src/tracing/tracing-settings';
import { anEvent, bindQueue, startPublishing, type QueueReader } from './amqp-fixtures';

const defaults = { serviceName: 'svc', serviceVersion: '1.2.3' };

describe('tracingSettings', () => {
  it('When nothing is set, then every new trace is sampled parent-based and no exporter runs', () => {
    expect(tracingSettings({}, defaults)).toMatchObject({
      disabled: false,
      serviceName: 'svc',
      serviceVersion: '1.2.3',
      sampler: 'parentbased_traceidratio',
      ratio: 1,
      tracesUrl: undefined,
    });
  });

  it('When the OTLP endpoint is a base URL, then spans go to its /v1/traces; the per-signal variable is taken as is', () => {
    expect(
      tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://logger:8083/' }, defaults).tracesUrl,
    ).toBe('http://logger:8083/v1/traces');
    expect(
      tracingSettings(
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://logger:8083',
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://jaeger:4318/v1/traces',
        },
        defaults,
      ).tracesUrl,
    ).toBe('http://jaeger:4318/v1/traces');
  });

  it.each([
    [{ OTEL_TRACES_SAMPLER: 'sometimes' }, /OTEL_TRACES_SAMPLER must be one of/],
    [{ OTEL_TRACES_SAMPLER_ARG: '1.5' }, /OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1/],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'logger:8083' }, /OTEL_EXPORTER_OTLP_ENDPOINT must be an http/],
  ])('When %j is set, then the start fails naming the variable', (env, message) => {
    expect(() => tracingSettings(env, defaults)).toThrow(TracingConfigError);
    expect(() => tracingSettings(env, defaults)).toThrow(message);
  });

  it('When OTEL_SDK_DISABLED is true, then tracing is off', () => {
    expect(tracingSettings({ OTEL_SDK_DISABLED: 'true' }, defaults).disabled).toBe(true);
  });
});

// The SDK registered in-process with an in-memory exporter: what the kit's publisher, consumer
// helper and logger do with the active span.
describe('trace context in the kit', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('kit-test');
  let vhost: TestVhost;
  let queue: QueueReader;

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(provider);
    vhost = await createTestVhost('kit-tracing');
    queue = await bindQueue(vhost.url, 'log.INFO');
  });
  afterEach(() => exporter.reset());
  afterAll(async () => {
    await queue.close();
    await vhost.drop();
    trace.disable();
    propagation.disable();
    context.disable();
  });

  it('When an event is published inside a span, then a PRODUCER span child of it is recorded and the message carries its traceparent', async () => {
    const publishing = await startPublishing(vhost.url);
    const parent = tracer.startSpan('request');
    try {
      await context.with(trace.setSpan(context.active(), parent), () =>
        publishing.publisher.publish(anEvent({ level: 'INFO' })),
      );
    } finally {
      parent.end();
      await publishing.stop();
    }

    const [message] = await queue.drain();
    const producer = exporter.getFinishedSpans().find((s) => s.name === 'logs_topic publish');
    expect(producer).toBeDefined();
    expect(producer?.kind).toBe(ApiSpanKind.PRODUCER);
    expect(producer?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(producer?.attributes).toMatchObject({
      'messaging.system': 'rabbitmq',
      'messaging.rabbitmq.destination.routing_key': 'log.INFO',
    });
    expect(message?.properties.headers?.traceparent).toBe(
      `00-${parent.spanContext().traceId}-${producer?.spanContext().spanId}-01`,
    );
  });

  it('When a batch of messages is processed, then the CONSUMER span continues the first traced one and links every one', async () => {
    const first = tracer.startSpan('first');
    const second = tracer.startSpan('second');
    const header = (span: typeof first) => ({
      traceparent: `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`,
    });

    await withConsumerBatchSpan(
      'queue process',
      [undefined, header(first), header(second)],
      {},
      async () => {},
    );

    const [batch] = exporter.getFinishedSpans();
    expect(batch?.kind).toBe(ApiSpanKind.CONSUMER);
    expect(batch?.spanContext().traceId).toBe(first.spanContext().traceId);
    expect(batch?.parentSpanContext?.spanId).toBe(first.spanContext().spanId);
    expect(batch?.links.map((l) => l.context.spanId)).toEqual([
      first.spanContext().spanId,
      second.spanContext().spanId,
    ]);
    expect(batch?.attributes['messaging.batch.message_count']).toBe(3);
  });

  describe('the SERVER span of an HTTP request (the kit request middleware, tracing on)', () => {
    const logs = captureLogs('kit-test');
    const server = createHttpServer({
      logger: logs.logger,
      health: new Health(),
      metrics: createMetrics('kit-test'),
      routes: (app) => {
        app.post('/items/:id', (_req, res) => {
          logs.logger.info('handling');
          res.status(202).json({ error: false, message: 'ok', data: currentTraceIds() ?? null });
        });
        app.get('/broken', () => {
          throw new Error('broken');
        });
      },
    });
    let url: string;
    beforeAll(async () => {
      tracingStats().active = true;
      url = (await server.start(0)).url;
    });
    afterAll(async () => {
      tracingStats().active = false;
      await server.stop();
    });

    it("When a request carries a traceparent, then one SERVER span named by the route continues the caller's trace, and the handler and the access line run in it", async () => {
      const client = tracer.startSpan('client');
      const { traceId, spanId } = client.spanContext();
      client.end();
      exporter.reset();

      const res = await fetch(`${url}/items/42?x=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${spanId}-01` },
        body: JSON.stringify({ a: 1 }),
      });
      const body = (await res.json()) as { data: { trace_id: string; span_id: string } };
      await waitFor(() => exporter.getFinishedSpans().length > 0 || undefined);

      const [span] = exporter.getFinishedSpans();
      expect(exporter.getFinishedSpans()).toHaveLength(1);
      expect(span).toMatchObject({ name: 'POST /items/:id', kind: ApiSpanKind.SERVER });
      expect(span?.parentSpanContext?.spanId).toBe(spanId);
      expect(span?.spanContext().traceId).toBe(traceId);
      expect(span?.attributes).toMatchObject({
        'http.request.method': 'POST',
        'url.path': '/items/42',
        'http.route': '/items/:id',
        'http.response.status_code': 202,
      });
      expect(body.data).toEqual({ trace_id: traceId, span_id: span?.spanContext().spanId });
      const ids = { trace_id: traceId, span_id: span?.spanContext().spanId };
      expect(logs.lines.find((l) => l.msg === 'handling')).toMatchObject(ids);
      expect(logs.lines.find((l) => l.msg === 'request completed')).toMatchObject(ids);
    });

    it('When the answer is a 5xx, then the span is an error; probes are not traced', async () => {
      exporter.reset();
      await fetch(`${url}/livez`);
      await fetch(`${url}/broken`);
      await waitFor(() => exporter.getFinishedSpans().length > 0 || undefined);

      const spans = exporter.getFinishedSpans();
      expect(spans.map((s) => s.name)).toEqual(['GET /broken']);
      expect(spans[0]?.status.code).toBe(SpanStatusCode.ERROR);
      expect(spans[0]?.parentSpanContext).toBeUndefined();
    });
  });

  it('When a line is logged inside a span, then it carries the trace and span ids; outside, none', () => {
    const { logger, lines } = captureLogs('kit-test');
    const span = tracer.startSpan('work');

    context.with(trace.setSpan(context.active(), span), () => logger.info('inside'));
    logger.info('outside');
    span.end();

    expect(lines[0]).toMatchObject({
      trace_id: span.spanContext().traceId,
      span_id: span.spanContext().spanId,
    });
    expect(lines[1]).not.toHaveProperty('trace_id');
  });
});

const run = promisify(execFile);
const KIT_DIST = path.join(__dirname, '..', 'dist');

/** A port nothing listens on: taken from the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Accepts connections and never answers: a hung span target. */
async function silentServer(): Promise<{ port: number; close(): void }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

// The bootstrap as services load it (node --require …/tracing/register.js), in a child process:
// a kit HTTP server (as every service's) answers requests while the span target is down.
describe('the tracing bootstrap when the export target is down or slow', () => {
  it.each([
    ['down', 'export_failed', 'closed', { OTEL_BSP_EXPORT_TIMEOUT: '500' }, 55],
    // One export hangs on a target that never answers; the 8-span queue overflows meanwhile.
    ['hanging', 'queue_full', 'silent', { OTEL_BSP_MAX_QUEUE_SIZE: '8' }, 40],
  ] as const)(
    'When the span target is %s, then every request still succeeds and the dropped spans are counted as %s on /metrics',
    async (_case, reason, target, settings, atLeast) => {
      const silent = target === 'silent' ? await silentServer() : undefined;
      const port = silent?.port ?? (await closedPort());
      const script = `
        const kit = require(${JSON.stringify(KIT_DIST)});
        const metrics = kit.createMetrics('probe');
        const server = kit.createHttpServer({
          logger: kit.createLogger({ service: 'probe', level: 'silent' }),
          health: new kit.Health(),
          metrics,
          routes: (app) => app.get('/work', (req, res) => res.end('ok')),
        });
        server.start(0).then(async ({ url: base }) => {
          const url = base + '/work';
          const statuses = [];
          for (let i = 0; i < 30; i++) statuses.push((await fetch(url)).status);
          await new Promise((r) => setTimeout(r, 1500));
          const text = await metrics.registry.metrics();
          console.log(JSON.stringify({ statuses, text }));
          process.exit(0);
        });`;
      const { stdout } = await run(
        process.execPath,
        ['--require', path.join(KIT_DIST, 'tracing', 'register.js'), '-e', script],
        {
          timeout: 20_000,
          env: {
            PATH: process.env.PATH,
            OTEL_SERVICE_NAME: 'probe',
            OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
            OTEL_BSP_SCHEDULE_DELAY: '50',
            OTEL_BSP_EXPORT_TIMEOUT: '5000',
            ...settings,
          },
        },
      ).finally(() => silent?.close());

      const { statuses, text } = JSON.parse(stdout) as { statuses: number[]; text: string };
      expect(statuses).toEqual(Array(30).fill(200));
      const dropped = text.match(
        new RegExp(
          `^micromesh_trace_spans_dropped_total\\{reason="${reason}",service="probe"\\} (\\d+)$`,
          'm',
        ),
      );
      // 30 server and 30 client (fetch) spans were recorded; none reached a target.
      expect(Number(dropped?.[1])).toBeGreaterThanOrEqual(atLeast);
      expect(text).toMatch(/^micromesh_trace_spans_exported_total\{service="probe"\} 0$/m);
    },
  );
});
