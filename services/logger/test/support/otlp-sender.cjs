// Sends one two-span trace with the OpenTelemetry SDK's own exporter, in a plain node process
// (the exporters load their transport with import(), which jest's module sandbox cannot run).
//   node otlp-sender.cjs <protobuf|json|grpc> <url> <service.name>
// Prints {traceId, root, child, linked} as JSON.
const { randomBytes } = require('node:crypto');
const { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } = require('@opentelemetry/api');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { SimpleSpanProcessor, TracerProvider } = require('@opentelemetry/sdk-trace');

const [wire, url, service] = process.argv.slice(2);
const Exporter = {
  protobuf: () => require('@opentelemetry/exporter-trace-otlp-proto').OTLPTraceExporter,
  json: () => require('@opentelemetry/exporter-trace-otlp-http').OTLPTraceExporter,
  grpc: () => require('@opentelemetry/exporter-trace-otlp-grpc').OTLPTraceExporter,
}[wire]();

async function main() {
  const exporter = new Exporter({ url, timeoutMillis: 5000 });
  let failure;
  const checked = {
    export: (spans, done) =>
      exporter.export(spans, (result) => {
        if (result.code !== 0) failure = result.error ?? new Error('export failed');
        done(result);
      }),
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush(),
  };
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: checked })],
  });
  const tracer = provider.getTracer('otlp-test');
  const linked = {
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    traceFlags: 1,
  };
  const root = tracer.startSpan('POST /handle', {
    kind: SpanKind.SERVER,
    attributes: { 'http.route': '/handle', 'http.response.status_code': 202 },
  });
  const child = tracer.startSpan(
    'pg.query:INSERT',
    { kind: SpanKind.CLIENT, links: [{ context: linked }], attributes: { rows: 3, ok: false } },
    trace.setSpan(ROOT_CONTEXT, root),
  );
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'duplicate key' });
  child.end();
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  if (failure) throw failure;
  process.stdout.write(
    JSON.stringify({
      traceId: root.spanContext().traceId,
      root: root.spanContext().spanId,
      child: child.spanContext().spanId,
      linked,
    }),
  );
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
