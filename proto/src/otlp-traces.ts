import type * as grpc from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';
import path from 'node:path';

/** Directory holding the vendored `opentelemetry/proto/…` files (shipped beside dist/). */
export const OTLP_PROTO_ROOT = path.join(__dirname, '..');
const TRACE_SERVICE_PROTO = 'opentelemetry/proto/collector/trace/v1/trace_service.proto';
const SERVICE_NAME = 'opentelemetry.proto.collector.trace.v1.TraceService';

/** proto field names as written (snake_case), ids as Buffers, 64-bit times as decimal strings. */
const OTLP_LOADER_OPTIONS: Options = {
  keepCase: true,
  longs: String,
  enums: Number,
  defaults: true,
  oneofs: true,
  includeDirs: [OTLP_PROTO_ROOT],
};

let cached: grpc.ServiceDefinition | undefined;

function traceService(): grpc.ServiceDefinition {
  if (!cached) {
    const definition = loadSync(TRACE_SERVICE_PROTO, OTLP_LOADER_OPTIONS);
    const service = definition[SERVICE_NAME];
    if (!service || !('Export' in service)) throw new Error(`${SERVICE_NAME} missing from proto`);
    cached = service as grpc.ServiceDefinition;
  }
  return cached;
}

function exportMethod() {
  const method = traceService().Export;
  if (!method) throw new Error(`${SERVICE_NAME}.Export missing from proto`);
  return method;
}

/** One span as any OTLP sender described it, in plain JS values. */
export interface OtlpSpan {
  /** `service.name` of the resource that sent it ("unknown" when absent). */
  service: string;
  /** Lower-case hex: 32 chars. */
  trace_id: string;
  /** Lower-case hex: 16 chars. */
  span_id: string;
  /** Lower-case hex, or undefined for a root span. */
  parent_span_id: string | undefined;
  name: string;
  /** OTLP SpanKind number: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  start_unix_nano: bigint;
  end_unix_nano: bigint;
  attributes: Record<string, unknown>;
  /** OTLP StatusCode number: 0 unset, 1 ok, 2 error. */
  status_code: number;
  status_message: string;
  links: { trace_id: string; span_id: string }[];
  scope: string;
}

/** What the receiver answers: how many spans it refused and why (OTLP partial success). */
export interface OtlpExportOutcome {
  rejected: number;
  message: string;
}

export type OtlpExportHandler = (spans: OtlpSpan[], invalid: number) => Promise<OtlpExportOutcome>;

/** An OTLP request that could not be read at all (bad protobuf or JSON). */
export class OtlpDecodeError extends Error {}

/**
 * The collector TraceService on a grpc-js server: any OpenTelemetry SDK or collector can export
 * to it. Store failures answer UNAVAILABLE (the sender retries); unreadable input INVALID_ARGUMENT.
 */
export function addTraceService(
  server: grpc.Server,
  handle: OtlpExportHandler,
  onError: (error: unknown) => grpc.ServiceError | Partial<grpc.StatusObject>,
): void {
  server.addService(traceService(), {
    Export: (
      call: grpc.ServerUnaryCall<unknown, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) => {
      let read: { spans: OtlpSpan[]; invalid: number };
      try {
        read = otlpSpans(call.request);
      } catch (error) {
        callback(onError(error));
        return;
      }
      handle(read.spans, read.invalid).then(
        (outcome) => callback(null, exportResponse(outcome)),
        (error: unknown) => callback(onError(error)),
      );
    },
  });
}

/** The binary body of an OTLP/HTTP protobuf request (`application/x-protobuf`). */
export function decodeExportRequest(body: Buffer): { spans: OtlpSpan[]; invalid: number } {
  let decoded: unknown;
  try {
    decoded = exportMethod().requestDeserialize(body);
  } catch (error) {
    throw new OtlpDecodeError(
      `not an OTLP ExportTraceServiceRequest: ${error instanceof Error ? error.message : error}`,
    );
  }
  return otlpSpans(decoded);
}

/** The binary body of an OTLP/HTTP protobuf answer. */
export function encodeExportResponse(outcome: OtlpExportOutcome): Buffer {
  return exportMethod().responseSerialize(exportResponse(outcome));
}

function exportResponse(outcome: OtlpExportOutcome) {
  return outcome.rejected > 0
    ? {
        partial_success: {
          rejected_spans: String(outcome.rejected),
          error_message: outcome.message,
        },
      }
    : {};
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A field by its proto name or its OTLP/JSON (lowerCamelCase) name. */
function field(obj: Json, snake: string): unknown {
  if (snake in obj) return obj[snake];
  return obj[snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())];
}

function list(obj: Json, snake: string): Json[] {
  const value = field(obj, snake);
  return Array.isArray(value) ? value.filter(isObject) : [];
}

/** An id from protobuf bytes, or OTLP/JSON's hex string; '' when absent or malformed. */
function id(value: unknown, bytes: number): string {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    const hex = Buffer.from(value).toString('hex');
    return hex.length === bytes * 2 ? hex : '';
  }
  if (typeof value === 'string' && new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(value)) {
    return value.toLowerCase();
  }
  return '';
}

const ZERO = /^0+$/;

function nanos(value: unknown): bigint {
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
    return BigInt(Math.trunc(value));
  }
  return 0n;
}

function int(value: unknown): number {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) ? n : 0;
}

/** An AnyValue as plain JSON: int64 as a number when it is safe, else its decimal string. */
function anyValue(value: unknown): unknown {
  if (!isObject(value)) return null;
  const s = field(value, 'string_value');
  if (typeof s === 'string') return s;
  const b = field(value, 'bool_value');
  if (typeof b === 'boolean') return b;
  const i = field(value, 'int_value');
  if (typeof i === 'string' || typeof i === 'number') {
    const n = Number(i);
    return Number.isSafeInteger(n) ? n : String(i);
  }
  const d = field(value, 'double_value');
  if (typeof d === 'number') return d;
  const arr = field(value, 'array_value');
  if (isObject(arr)) return list(arr, 'values').map(anyValue);
  const kv = field(value, 'kvlist_value');
  if (isObject(kv)) return attributes(list(kv, 'values'));
  const bytes = field(value, 'bytes_value');
  if (Buffer.isBuffer(bytes)) return bytes.toString('base64');
  if (typeof bytes === 'string') return bytes;
  return null;
}

function attributes(pairs: Json[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const key = field(pair, 'key');
    if (typeof key === 'string' && key !== '') out[key] = anyValue(field(pair, 'value'));
  }
  return out;
}

/**
 * Every span of an ExportTraceServiceRequest, decoded from protobuf or parsed from OTLP/JSON,
 * as plain values. Spans without a valid trace or span id are counted as invalid, not returned.
 */
export function otlpSpans(request: unknown): { spans: OtlpSpan[]; invalid: number } {
  if (!isObject(request))
    throw new OtlpDecodeError('an ExportTraceServiceRequest object is required');
  const spans: OtlpSpan[] = [];
  let invalid = 0;
  for (const resourceSpans of list(request, 'resource_spans')) {
    const resource = field(resourceSpans, 'resource');
    const resourceAttributes = isObject(resource) ? attributes(list(resource, 'attributes')) : {};
    const serviceName = resourceAttributes['service.name'];
    const service = typeof serviceName === 'string' && serviceName ? serviceName : 'unknown';
    for (const scopeSpans of list(resourceSpans, 'scope_spans')) {
      const scopeField = field(scopeSpans, 'scope');
      const scopeName = isObject(scopeField) ? field(scopeField, 'name') : undefined;
      const scope = typeof scopeName === 'string' ? scopeName : '';
      for (const span of list(scopeSpans, 'spans')) {
        const traceId = id(field(span, 'trace_id'), 16);
        const spanId = id(field(span, 'span_id'), 8);
        if (!traceId || !spanId || ZERO.test(traceId) || ZERO.test(spanId)) {
          invalid++;
          continue;
        }
        const parent = id(field(span, 'parent_span_id'), 8);
        const status = field(span, 'status');
        const name = field(span, 'name');
        const statusMessage = isObject(status) ? field(status, 'message') : undefined;
        spans.push({
          service,
          trace_id: traceId,
          span_id: spanId,
          parent_span_id: parent && !ZERO.test(parent) ? parent : undefined,
          name: typeof name === 'string' ? name : '',
          kind: int(field(span, 'kind')),
          start_unix_nano: nanos(field(span, 'start_time_unix_nano')),
          end_unix_nano: nanos(field(span, 'end_time_unix_nano')),
          attributes: attributes(list(span, 'attributes')),
          status_code: isObject(status) ? int(field(status, 'code')) : 0,
          status_message: typeof statusMessage === 'string' ? statusMessage : '',
          links: list(span, 'links').flatMap((link) => {
            const linkTrace = id(field(link, 'trace_id'), 16);
            const linkSpan = id(field(link, 'span_id'), 8);
            return linkTrace && linkSpan ? [{ trace_id: linkTrace, span_id: linkSpan }] : [];
          }),
          scope,
        });
      }
    }
  }
  return { spans, invalid };
}
