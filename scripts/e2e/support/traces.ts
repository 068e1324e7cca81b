import { randomBytes } from 'node:crypto';
import { waitFor } from '@micromesh/kit/testing';
import { call } from './broker-api';

export interface StoredSpan {
  span_id: string;
  parent_span_id: string | null;
  service: string;
  name: string;
  kind: string;
  start_us: number;
  duration_ms: number;
  status: string;
  attributes: Record<string, unknown>;
  links: { trace_id: string; span_id: string }[];
}

export interface StoredTrace {
  trace_id: string;
  spans: StoredSpan[];
  logs: { event_id: string; data: string; service: string; trace_id?: string; span_id?: string }[];
}

/** A span tree as the assertions spell it: "service kind name", children sorted. */
export interface SpanNode {
  span: string;
  children: SpanNode[];
}

/** A fresh W3C trace context, as a client that traces its own calls would send it. */
export function clientTraceContext() {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

/** pg spans end in the database name, which is per-run here: `pg.query:INSERT <db>` → without it. */
function label(span: StoredSpan): string {
  const name = span.name.replace(/^(pg\.query:\S+) .*$/, '$1');
  return `${span.service} ${span.kind} ${name}`;
}

/** The spans whose parent is not in the trace, each with its subtree. */
export function spanTree(spans: StoredSpan[]): SpanNode[] {
  const ids = new Set(spans.map((s) => s.span_id));
  const build = (span: StoredSpan): SpanNode => ({
    span: label(span),
    children: spans
      .filter((s) => s.parent_span_id === span.span_id)
      .map(build)
      .sort((a, b) => a.span.localeCompare(b.span)),
  });
  return spans.filter((s) => !s.parent_span_id || !ids.has(s.parent_span_id)).map(build);
}

/**
 * The trace as the broker serves it, once it holds `spanCount` spans (services export in batches,
 * about once a second) and that count stayed the same for one more export interval.
 */
export async function waitForTrace(
  brokerUrl: string,
  token: string,
  traceId: string,
  spanCount: number,
): Promise<StoredTrace> {
  let seen = -1;
  return waitFor(
    async () => {
      const res = await call<StoredTrace>(brokerUrl, 'GET', `/api/traces/${traceId}`, { token });
      const trace = res.status === 200 ? res.body.data : undefined;
      const count = trace?.spans.length ?? 0;
      const settled = count >= spanCount && count === seen;
      seen = count;
      return settled ? trace : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 1_200, what: `trace ${traceId} with ${spanCount} spans` },
  );
}
