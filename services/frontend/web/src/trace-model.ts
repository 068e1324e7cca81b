/** Traces as the waterfall draws them, read from GET /api/traces/{id} and GET /api/traces. */

export interface TraceSpan {
  id: string;
  parentId: string | null;
  service: string;
  name: string;
  kind: string;
  /** Microseconds since the epoch. */
  startUs: number;
  durationMs: number;
  error: boolean;
  statusMessage?: string;
  attributes: Record<string, unknown>;
  linkCount: number;
}

/** A span placed in the drawing: its depth under its ancestors, in tree order. */
export interface PlacedSpan extends TraceSpan {
  depth: number;
  /** Offset from the trace's first span start, in ms. */
  offsetMs: number;
}

export interface TraceLog {
  id: string;
  timestamp: Date;
  level: string;
  service: string;
  name: string;
  data: string;
  spanId?: string;
}

export interface TraceDetail {
  traceId: string;
  spans: PlacedSpan[];
  logs: TraceLog[];
  /** First span start to last span end, in ms. */
  totalMs: number;
  startUs: number;
  services: string[];
}

export interface TraceSummary {
  traceId: string;
  rootService: string;
  rootName: string;
  start: Date;
  durationMs: number;
  spanCount: number;
  error: boolean;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) =>
  typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const dataOf = (body: unknown): unknown => (isObject(body) && 'data' in body ? body.data : body);

function toSpan(raw: unknown): TraceSpan | null {
  if (!isObject(raw) || typeof raw.span_id !== 'string') return null;
  const startUs =
    typeof raw.start_us === 'number' ? raw.start_us : Date.parse(str(raw.start)) * 1000 || 0;
  return {
    id: raw.span_id,
    parentId: typeof raw.parent_span_id === 'string' ? raw.parent_span_id : null,
    service: str(raw.service) || 'unknown',
    name: str(raw.name) || '(unnamed)',
    kind: str(raw.kind) || 'internal',
    startUs,
    durationMs: num(raw.duration_ms),
    error: raw.status === 'error',
    statusMessage: typeof raw.status_message === 'string' ? raw.status_message : undefined,
    attributes: isObject(raw.attributes) ? raw.attributes : {},
    linkCount: Array.isArray(raw.links) ? raw.links.length : 0,
  };
}

/**
 * Depth-first order from the roots (spans whose parent is not in the trace, e.g. a client's),
 * children by start time: the order a waterfall reads top to bottom.
 */
export function placeSpans(spans: TraceSpan[]): PlacedSpan[] {
  const byParent = new Map<string | null, TraceSpan[]>();
  const ids = new Set(spans.map((s) => s.id));
  for (const span of spans) {
    const key = span.parentId && ids.has(span.parentId) ? span.parentId : null;
    const siblings = byParent.get(key) ?? [];
    siblings.push(span);
    byParent.set(key, siblings);
  }
  for (const siblings of byParent.values()) siblings.sort((a, b) => a.startUs - b.startUs);
  const first = Math.min(...spans.map((s) => s.startUs));
  const placed: PlacedSpan[] = [];
  const visit = (span: TraceSpan, depth: number) => {
    placed.push({ ...span, depth, offsetMs: (span.startUs - first) / 1000 });
    for (const child of byParent.get(span.id) ?? []) visit(child, depth + 1);
  };
  for (const root of byParent.get(null) ?? []) visit(root, 0);
  return placed;
}

export function toTraceDetail(body: unknown): TraceDetail | null {
  const data = dataOf(body);
  if (!isObject(data) || typeof data.trace_id !== 'string') return null;
  const spans = (Array.isArray(data.spans) ? data.spans : [])
    .map(toSpan)
    .filter((s): s is TraceSpan => s !== null);
  const placed = spans.length ? placeSpans(spans) : [];
  const startUs = spans.length ? Math.min(...spans.map((s) => s.startUs)) : 0;
  const endUs = spans.length ? Math.max(...spans.map((s) => s.startUs + s.durationMs * 1000)) : 0;
  const logs = (Array.isArray(data.logs) ? data.logs : []).filter(isObject).map((l) => ({
    id: str(l.event_id),
    timestamp: new Date(str(l.timestamp)),
    level: str(l.level) || 'INFO',
    service: str(l.service),
    name: str(l.name),
    data: str(l.data),
    spanId: typeof l.span_id === 'string' ? l.span_id : undefined,
  }));
  return {
    traceId: data.trace_id,
    spans: placed,
    logs,
    totalMs: (endUs - startUs) / 1000,
    startUs,
    services: [...new Set(placed.map((s) => s.service))],
  };
}

export function toTraceSummaries(body: unknown): TraceSummary[] {
  const data = dataOf(body);
  const items = isObject(data) && Array.isArray(data.items) ? data.items : [];
  return items.filter(isObject).map((t) => ({
    traceId: str(t.trace_id),
    rootService: str(t.root_service),
    rootName: str(t.root_name),
    start: new Date(str(t.start)),
    durationMs: num(t.duration_ms),
    spanCount: num(t.span_count),
    error: t.error === true,
  }));
}

const KNOWN = ['broker', 'auth', 'logger', 'mail', 'listener', 'frontend'];

/** The colour class of a service: one per mesh service, a stable one of four for others. */
export function serviceClass(service: string): string {
  if (KNOWN.includes(service)) return `svc-${service}`;
  let hash = 0;
  for (const char of service) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return `svc-other-${hash % 4}`;
}

/** "374 ms", "12.4 ms", "0.85 ms", "1.92 s". */
export function formatMs(ms: number): string {
  if (ms === 0) return '0';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}
