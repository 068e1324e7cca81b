import { AppError, parseInput } from '@micromesh/kit';
import { z } from 'zod';
import type { LogEntry } from './log-entry';
import { storableSpan, type SpanRecord } from './span-record';
import type { TraceStore, TraceSummary } from './ports';

/** A span as the traces API shows it. */
export interface SpanView {
  span_id: string;
  parent_span_id: string | null;
  service: string;
  name: string;
  kind: SpanRecord['kind'];
  /** ISO time (milliseconds); `start_us` keeps the microseconds. */
  start: string;
  start_us: number;
  duration_ms: number;
  status: SpanRecord['status'];
  status_message?: string;
  attributes: Record<string, unknown>;
  links: SpanRecord['links'];
}

export interface TraceView {
  trace_id: string;
  spans: SpanView[];
  /** The log entries written with this trace id, oldest first. */
  logs: LogEntry[];
}

export interface TraceSummaryView {
  trace_id: string;
  root_service: string;
  root_name: string;
  start: string;
  duration_ms: number;
  span_count: number;
  error: boolean;
}

/** What became of a received export: how many spans were refused and why (a partial success). */
export interface SpansReceived {
  rejected: number;
  message: string;
}

export interface TraceServiceOptions {
  /** The log entries carrying a trace id (newest first, at most `limit`). */
  logsOf(traceId: string, limit: number): Promise<LogEntry[]>;
  /** Most spans stored per insert; larger exports are split. */
  insertChunk?: number;
}

export const TRACE_LOG_LIMIT = 500;
const MAX_TRACE_LIST = 200;
const traceIdSchema = z
  .string()
  .regex(/^[0-9a-f]{32}$/, 'a trace id is 32 lower-case hex characters');

export const traceListSchema = z.object({
  service: z.string().trim().min(1).max(64).optional(),
  min_ms: z.coerce.number().min(0).max(86_400_000).optional(),
  error: z.enum(['true', 'false']).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  sort: z.enum(['recent', 'slowest']).default('recent'),
  limit: z.coerce.number().int().min(1).max(MAX_TRACE_LIST).default(50),
});

const DEFAULT_WINDOW_MS = 60 * 60 * 1000;
const ms = (us: number) => Math.round(us) / 1000;

function spanView(span: SpanRecord): SpanView {
  return {
    span_id: span.span_id,
    parent_span_id: span.parent_span_id ?? null,
    service: span.service,
    name: span.name,
    kind: span.kind,
    start: new Date(span.start_us / 1000).toISOString(),
    start_us: span.start_us,
    duration_ms: ms(span.duration_us),
    status: span.status,
    ...(span.status_message ? { status_message: span.status_message } : {}),
    attributes: span.attributes,
    links: span.links,
  };
}

function summaryView(summary: TraceSummary): TraceSummaryView {
  return {
    trace_id: summary.trace_id,
    root_service: summary.root_service,
    root_name: summary.root_name,
    start: new Date(summary.start_us / 1000).toISOString(),
    duration_ms: ms(summary.duration_us),
    span_count: summary.span_count,
    error: summary.error,
  };
}

/** The traces use cases: receive spans (OTLP), show one trace with its logs, list traces. */
export class TraceService {
  constructor(
    private readonly store: TraceStore,
    private readonly options: TraceServiceOptions,
  ) {}

  /**
   * Stores the spans an export carried (bounded to what the stores keep); `invalid` spans, those
   * the sender gave without valid ids, are reported rejected.
   */
  async receive(spans: readonly SpanRecord[], invalid: number): Promise<SpansReceived> {
    const chunk = this.options.insertChunk ?? 1000;
    const records = spans.map(storableSpan);
    for (let i = 0; i < records.length; i += chunk) {
      await this.store.insertSpans(records.slice(i, i + chunk));
    }
    return {
      rejected: invalid,
      message: invalid > 0 ? `${invalid} spans without a valid trace_id or span_id` : '',
    };
  }

  async trace(traceId: string): Promise<TraceView> {
    const id = parseInput(traceIdSchema, traceId, 'invalid trace id');
    const [spans, logs] = await Promise.all([
      this.store.getTrace(id),
      this.options.logsOf(id, TRACE_LOG_LIMIT),
    ]);
    if (spans.length === 0 && logs.length === 0) throw AppError.notFound('trace not found');
    return {
      trace_id: id,
      spans: spans.map(spanView),
      logs: [...logs].sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime()),
    };
  }

  async list(input: unknown): Promise<{ items: TraceSummaryView[] }> {
    const query = parseInput(traceListSchema, input, 'invalid trace query');
    const summaries = await this.store.listTraces({
      ...(query.service ? { service: query.service } : {}),
      ...(query.min_ms !== undefined ? { minDurationUs: query.min_ms * 1000 } : {}),
      ...(query.error ? { error: query.error === 'true' } : {}),
      since: query.since ? new Date(query.since) : new Date(Date.now() - DEFAULT_WINDOW_MS),
      sort: query.sort,
      limit: query.limit,
    });
    return { items: summaries.map(summaryView) };
  }
}
