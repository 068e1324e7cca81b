import type { OtlpExportOutcome, OtlpSpan } from '@micromesh/proto';
import type { SpanKindName, SpanRecord, SpanStatus } from '../domain/span-record';
import type { TraceService } from '../domain/trace-service';

/** OTLP's SpanKind numbers, in the order of the enum. */
const KINDS: readonly SpanKindName[] = [
  'unspecified',
  'internal',
  'server',
  'client',
  'producer',
  'consumer',
];
/** OTLP's StatusCode numbers, in the order of the enum. */
const STATUSES: readonly SpanStatus[] = ['unset', 'ok', 'error'];

/** An OTLP span in the domain's terms: µs times, names for kind and status. */
export function fromOtlpSpan(span: OtlpSpan): SpanRecord {
  const startUs = Number(span.start_unix_nano / 1000n);
  const endUs = Number(span.end_unix_nano / 1000n);
  return {
    trace_id: span.trace_id,
    span_id: span.span_id,
    ...(span.parent_span_id ? { parent_span_id: span.parent_span_id } : {}),
    service: span.service,
    name: span.name,
    kind: KINDS[span.kind] ?? 'unspecified',
    start_us: startUs,
    duration_us: endUs - startUs,
    status: STATUSES[span.status_code] ?? 'unset',
    ...(span.status_message ? { status_message: span.status_message } : {}),
    attributes: span.attributes,
    links: span.links,
  };
}

/** One OTLP export (HTTP or gRPC) handed to the traces use case. */
export function receiveOtlp(
  traces: TraceService,
  spans: readonly OtlpSpan[],
  invalid: number,
): Promise<OtlpExportOutcome> {
  return traces.receive(spans.map(fromOtlpSpan), invalid);
}
