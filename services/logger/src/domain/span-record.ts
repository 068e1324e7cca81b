export type SpanKindName =
  'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';
export type SpanStatus = 'unset' | 'ok' | 'error';

/** One stored span: what the traces API serves and the waterfall draws. */
export interface SpanRecord {
  trace_id: string;
  span_id: string;
  parent_span_id?: string;
  /** The `service.name` of the process that recorded it. */
  service: string;
  name: string;
  kind: SpanKindName;
  /** Microseconds since the epoch (exact in a double for the next 200 years). */
  start_us: number;
  duration_us: number;
  status: SpanStatus;
  status_message?: string;
  attributes: Record<string, unknown>;
  /** Spans this one points at in other traces (a batch's messages). */
  links: { trace_id: string; span_id: string }[];
}

/** Longest span name kept; longer ones are cut (names are meant to be low-cardinality). */
export const MAX_SPAN_NAME = 256;
/** Largest attributes object kept, as JSON; a span over it keeps only its first attributes. */
export const MAX_ATTRIBUTES_JSON = 8_192;
const MAX_LINKS = 128;

const UNSAFE_CHARACTERS =
  // NUL is exactly what must be matched here.
  // eslint-disable-next-line no-control-regex
  /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text both stores accept: PostgreSQL refuses NUL in text and JSONB, and an unpaired surrogate
 * cannot be encoded as UTF-8; both become U+FFFD.
 */
export function storeSafeText(value: string): string {
  return value.replace(UNSAFE_CHARACTERS, '\uFFFD');
}

function storeSafe(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return storeSafeText(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (Array.isArray(value)) return depth > 8 ? null : value.map((v) => storeSafe(v, depth + 1));
  if (value && typeof value === 'object') {
    if (depth > 8) return null;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[storeSafeText(k)] = storeSafe(v, depth + 1);
    return out;
  }
  return value;
}

function boundedAttributes(attributes: Record<string, unknown>): Record<string, unknown> {
  const safe = storeSafe(attributes) as Record<string, unknown>;
  if (JSON.stringify(safe).length <= MAX_ATTRIBUTES_JSON) return safe;
  const kept: Record<string, unknown> = {};
  let size = 2;
  for (const [key, value] of Object.entries(safe)) {
    const added = JSON.stringify(key).length + JSON.stringify(value).length + 2;
    if (size + added > MAX_ATTRIBUTES_JSON - 40) break;
    kept[key] = value;
    size += added;
  }
  kept['micromesh.attributes_truncated'] = true;
  return kept;
}

/**
 * A received span as the stores keep it: text both stores accept, bounded name, message,
 * attributes and links, a service name, no negative duration.
 */
export function storableSpan(span: SpanRecord): SpanRecord {
  const statusMessage = storeSafeText(span.status_message ?? '').slice(0, 1024);
  return {
    trace_id: span.trace_id,
    span_id: span.span_id,
    ...(span.parent_span_id ? { parent_span_id: span.parent_span_id } : {}),
    service: storeSafeText(span.service).slice(0, 64) || 'unknown',
    name: storeSafeText(span.name).slice(0, MAX_SPAN_NAME),
    kind: span.kind,
    start_us: span.start_us,
    duration_us: Math.max(0, span.duration_us),
    status: span.status,
    ...(statusMessage ? { status_message: statusMessage } : {}),
    attributes: boundedAttributes(span.attributes),
    links: span.links.slice(0, MAX_LINKS),
  };
}
