import {
  boundedQuery,
  createPgPool,
  migrate,
  type Logger,
  type RunStatement,
  isPgUnavailable,
} from '@micromesh/kit';
import type { Pool } from 'pg';
import type { SpanKindName, SpanRecord, SpanStatus } from '../../domain/span-record';
import {
  StoreUnavailableError,
  type TraceListQuery,
  type TraceStore,
  type TraceSummary,
} from '../../domain/ports';
import { TRACE_MIGRATIONS, TRACE_MIGRATIONS_TABLE } from './trace-migrations';

export interface PostgresTraceStoreOptions {
  url: string;
  logger: Logger;
  poolSize: number;
  connectTimeoutMs: number;
}

interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  service_name: string;
  name: string;
  kind: SpanKindName;
  start_us: number;
  duration_us: number;
  status: SpanStatus;
  status_message: string | null;
  attributes: Record<string, unknown>;
  links: { trace_id: string; span_id: string }[];
}

const COLUMNS = `trace_id, span_id, parent_span_id, service_name, name, kind, start_us, duration_us,
  start_time, status, status_message, attributes, links`;

// One statement and one plan for any batch size (as the logs' insert): arrays unnested to rows.
const INSERT_SQL = `
  INSERT INTO spans (${COLUMNS})
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                       $7::bigint[], $8::bigint[], $9::timestamptz[], $10::text[], $11::text[],
                       $12::jsonb[], $13::jsonb[])
  ON CONFLICT (trace_id, span_id) DO NOTHING`;

const SELECT_COLUMNS = `trace_id, span_id, parent_span_id, service_name, name, kind,
  start_us::float8 AS start_us, duration_us::float8 AS duration_us, status, status_message,
  attributes, links`;

const RETENTION_CHUNK = 10_000;

export class PostgresTraceStore implements TraceStore {
  private readonly pool: Pool;
  /** Bounded acquisition; connection failures become StoreUnavailableError (503 / UNAVAILABLE). */
  private readonly run: RunStatement;

  constructor(private readonly options: PostgresTraceStoreOptions) {
    this.pool = createPgPool({
      connectionString: options.url,
      applicationName: 'micromesh-logger-traces',
      logger: options.logger,
      max: options.poolSize,
      connectionTimeoutMs: options.connectTimeoutMs,
    });
    this.run = boundedQuery(this.pool, {
      isConnectionError: isPgUnavailable,
      unavailable: (cause) => new StoreUnavailableError(cause),
    });
  }

  async init(): Promise<void> {
    await migrate({
      pool: this.pool,
      migrations: TRACE_MIGRATIONS,
      logger: this.options.logger,
      table: TRACE_MIGRATIONS_TABLE,
    });
  }

  async insertSpans(spans: readonly SpanRecord[]): Promise<number> {
    if (spans.length === 0) return 0;
    const columns: unknown[][] = Array.from({ length: 13 }, () => []);
    for (const s of spans) {
      const values = [
        s.trace_id,
        s.span_id,
        s.parent_span_id ?? null,
        s.service,
        s.name,
        s.kind,
        s.start_us,
        s.duration_us,
        new Date(s.start_us / 1000).toISOString(),
        s.status,
        s.status_message ?? null,
        JSON.stringify(s.attributes),
        JSON.stringify(s.links),
      ];
      values.forEach((v, i) => columns[i]?.push(v));
    }
    const { rowCount } = await this.run({
      name: 'spans_insert',
      text: INSERT_SQL,
      values: columns,
    });
    return rowCount ?? 0;
  }

  async getTrace(traceId: string): Promise<SpanRecord[]> {
    const { rows } = await this.run<SpanRow>({
      text: `SELECT ${SELECT_COLUMNS} FROM spans WHERE trace_id = $1 ORDER BY start_us, span_id`,
      values: [traceId],
    });
    return rows.map(toRecord);
  }

  async listTraces(query: TraceListQuery): Promise<TraceSummary[]> {
    const values: unknown[] = [query.since];
    const param = (value: unknown) => {
      values.push(value);
      return `$${values.length}`;
    };
    const having: string[] = [];
    if (query.service) having.push(`bool_or(service_name = ${param(query.service)})`);
    if (query.minDurationUs !== undefined) {
      having.push(`max(start_us + duration_us) - min(start_us) >= ${param(query.minDurationUs)}`);
    }
    if (query.error !== undefined) {
      having.push(`bool_or(status = 'error') = ${param(query.error)}`);
    }
    const order =
      query.sort === 'slowest' ? 'duration_us DESC, start_us DESC' : 'start_us DESC, trace_id';
    const { rows } = await this.run<{
      trace_id: string;
      start_us: number;
      duration_us: number;
      span_count: number;
      error: boolean;
      root_service: string;
      root_name: string;
    }>({
      text: `
        WITH traces AS (
          SELECT trace_id,
                 min(start_us)::float8 AS start_us,
                 (max(start_us + duration_us) - min(start_us))::float8 AS duration_us,
                 count(*)::int AS span_count,
                 bool_or(status = 'error') AS error
            FROM spans
           WHERE start_time >= $1
           GROUP BY trace_id
          ${having.length ? `HAVING ${having.join(' AND ')}` : ''}
           ORDER BY ${order}
           LIMIT ${param(query.limit)}
        )
        SELECT t.*, root.service_name AS root_service, root.name AS root_name
          FROM traces t
          CROSS JOIN LATERAL (
            SELECT service_name, name FROM spans s
             WHERE s.trace_id = t.trace_id
             ORDER BY (s.parent_span_id IS NULL) DESC, s.start_us
             LIMIT 1
          ) root
         ORDER BY ${order}`,
      values,
    });
    return rows.map((r) => ({
      trace_id: r.trace_id,
      root_service: r.root_service,
      root_name: r.root_name,
      start_us: r.start_us,
      duration_us: r.duration_us,
      span_count: r.span_count,
      error: r.error,
    }));
  }

  async deleteOlderThan(cutoff: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const { rowCount } = await this.run({
        text: `DELETE FROM spans WHERE ctid IN
                 (SELECT ctid FROM spans WHERE start_time < $1 LIMIT ${RETENTION_CHUNK})`,
        values: [cutoff],
      });
      total += rowCount ?? 0;
      if ((rowCount ?? 0) < RETENTION_CHUNK) return total;
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function toRecord(row: SpanRow): SpanRecord {
  return {
    trace_id: row.trace_id,
    span_id: row.span_id,
    ...(row.parent_span_id ? { parent_span_id: row.parent_span_id } : {}),
    service: row.service_name,
    name: row.name,
    kind: row.kind,
    start_us: row.start_us,
    duration_us: row.duration_us,
    status: row.status,
    ...(row.status_message ? { status_message: row.status_message } : {}),
    attributes: row.attributes,
    links: row.links,
  };
}
