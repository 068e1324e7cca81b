import {
  boundedQuery,
  createPgPool,
  migrate,
  type Logger,
  type RunStatement,
  isPgUnavailable,
  isPgDataRefusal,
  pgRefusalReason,
} from '@micromesh/kit';
import type { Pool } from 'pg';
import type { Level } from '@micromesh/contracts';
import type { LogEntry } from '../../domain/log-entry';
import type { LogQuery } from '../../domain/log-query';
import {
  StoreUnavailableError,
  type InsertOutcome,
  type LogStore,
  type StoreWatch,
} from '../../domain/ports';
import { indexTerms, queryTerms } from '../../domain/search-terms';
import { listenTail } from './listen-tail';
import { LOG_MIGRATIONS, LOG_MIGRATIONS_TABLE } from './migrations';

export interface PostgresLogStoreOptions {
  url: string;
  logger: Logger;
  poolSize: number;
  connectTimeoutMs: number;
  /** Delay between reconnect attempts of the LISTEN connection. */
  listenRetryMs?: number;
}

interface LogRow {
  event_id: string;
  name: string;
  data: string;
  service_name: string;
  log_level: Level;
  trace_id: string | null;
  span_id: string | null;
  metadata: Record<string, unknown> | null;
  timestamp: Date;
}

const COLUMNS = `event_id, name, data, service_name, log_level, trace_id, span_id, metadata, timestamp`;

// unnest() turns ten array parameters into rows: one statement (and one cached plan) for any
// batch size, and no 65 535-parameter ceiling. Search terms travel space-joined (a term never
// holds a space), as PostgreSQL has no arrays of arrays of different lengths.
const INSERT_SQL = `
  INSERT INTO logs (${COLUMNS}, search_terms)
  SELECT e, n, d, s, l, t, sp, m, ts, string_to_array(st, ' ')
  FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
              $7::text[], $8::jsonb[], $9::timestamptz[], $10::text[])
       AS u(e, n, d, s, l, t, sp, m, ts, st)
  ON CONFLICT (event_id) DO NOTHING
  RETURNING event_id`;

const BACKFILL_CHUNK = 1_000;

const RETENTION_CHUNK = 10_000;

export class PostgresLogStore implements LogStore {
  readonly kind = 'postgres' as const;
  private readonly pool: Pool;
  /**
   * Every statement goes through here: acquisition is bounded by the pool's connection timeout,
   * and connection-level failures become StoreUnavailableError (UNAVAILABLE / 503 to callers).
   */
  private readonly run: RunStatement;

  constructor(private readonly options: PostgresLogStoreOptions) {
    this.pool = createPgPool({
      connectionString: options.url,
      applicationName: 'micromesh-logger',
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
      migrations: LOG_MIGRATIONS,
      logger: this.options.logger,
      table: LOG_MIGRATIONS_TABLE,
    });
    await this.backfillSearchTerms();
  }

  /** Rows stored before migration 2 get their search terms (a no-op once none are left). */
  private async backfillSearchTerms(): Promise<void> {
    for (;;) {
      const { rows } = await this.run<{ id: string; name: string; data: string }>({
        text: `SELECT id, name, data FROM logs WHERE search_terms IS NULL LIMIT ${BACKFILL_CHUNK}`,
      });
      if (rows.length === 0) return;
      await this.run({
        text: `UPDATE logs SET search_terms = string_to_array(u.st, ' ')
               FROM unnest($1::bigint[], $2::text[]) AS u(id, st) WHERE logs.id = u.id`,
        values: [rows.map((r) => r.id), rows.map((r) => indexTerms(r.name, r.data).join(' '))],
      });
      if (rows.length < BACKFILL_CHUNK) return;
    }
  }

  /**
   * One multi-row statement for the whole batch. When PostgreSQL refuses the data, the statement
   * stored nothing (it is atomic): the batch is halved and each half retried, down to the single
   * entries it refuses, so one bad entry costs about 2·log2(n) statements and never the others'
   * writes.
   */
  async insertMany(entries: readonly LogEntry[]): Promise<InsertOutcome> {
    const outcome: InsertOutcome = { inserted: new Set(), refused: new Map() };
    await this.insertIsolating(entries, outcome);
    return outcome;
  }

  private async insertIsolating(
    entries: readonly LogEntry[],
    outcome: InsertOutcome,
  ): Promise<void> {
    if (entries.length === 0) return;
    try {
      for (const id of await this.insertRows(entries)) outcome.inserted.add(id);
    } catch (err) {
      if (!isPgDataRefusal(err)) throw storeFailure(err);
      const [only] = entries;
      if (entries.length === 1 && only) {
        outcome.refused.set(only.event_id, pgRefusalReason(err));
        return;
      }
      const half = Math.ceil(entries.length / 2);
      await this.insertIsolating(entries.slice(0, half), outcome);
      await this.insertIsolating(entries.slice(half), outcome);
    }
  }

  private async insertRows(entries: readonly LogEntry[]): Promise<string[]> {
    const columns: unknown[][] = [[], [], [], [], [], [], [], [], [], []];
    for (const e of entries) {
      const values = [
        e.event_id,
        e.name,
        e.data,
        e.service,
        e.level,
        e.trace_id ?? null,
        e.span_id ?? null,
        e.metadata ? JSON.stringify(e.metadata) : null,
        e.timestamp.toISOString(),
        indexTerms(e.name, e.data).join(' '),
      ];
      values.forEach((v, i) => columns[i]?.push(v));
    }
    const { rows } = await this.run<{ event_id: string }>({
      name: 'logs_insert_many',
      text: INSERT_SQL,
      values: columns,
    });
    return rows.map((r) => r.event_id);
  }

  async query(query: LogQuery): Promise<LogEntry[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const param = (value: unknown) => {
      values.push(value);
      return `$${values.length}`;
    };
    if (query.service) where.push(`service_name = ${param(query.service)}`);
    if (query.level) where.push(`log_level = ${param(query.level)}`);
    if (query.trace_id) where.push(`trace_id = ${param(query.trace_id)}`);
    const terms = query.text ? queryTerms(query.text) : [];
    if (terms.length > 0) where.push(`search_terms @> ${param(terms)}::text[]`);
    if (query.from) where.push(`timestamp >= ${param(query.from)}`);
    if (query.to) where.push(`timestamp < ${param(query.to)}`);
    if (query.after) {
      where.push(
        `(timestamp, event_id) < (${param(query.after.timestamp)}, ${param(query.after.event_id)}::uuid)`,
      );
    }
    const { rows } = await this.run<LogRow>({
      text: `SELECT ${COLUMNS} FROM logs
             ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
             ORDER BY timestamp DESC, event_id DESC
             LIMIT ${param(query.limit)}`,
      values,
    });
    return rows.map(toEntry);
  }

  async get(eventId: string): Promise<LogEntry | undefined> {
    const { rows } = await this.run<LogRow>({
      text: `SELECT ${COLUMNS} FROM logs WHERE event_id = $1`,
      values: [eventId],
    });
    return rows[0] ? toEntry(rows[0]) : undefined;
  }

  async deleteOlderThan(cutoff: Date): Promise<number> {
    // In chunks, so one run never holds a long transaction over a large table.
    let total = 0;
    for (;;) {
      const { rowCount } = await this.run({
        text: `DELETE FROM logs WHERE id IN
                 (SELECT id FROM logs WHERE timestamp < $1 LIMIT ${RETENTION_CHUNK})`,
        values: [cutoff],
      });
      total += rowCount ?? 0;
      if ((rowCount ?? 0) < RETENTION_CHUNK) return total;
    }
  }

  async ping(): Promise<void> {
    await this.run({ text: 'SELECT 1' });
  }

  watch(onEntries: (entries: LogEntry[]) => void): Promise<StoreWatch> {
    return listenTail(
      {
        url: this.options.url,
        logger: this.options.logger,
        connectTimeoutMs: this.options.connectTimeoutMs,
        retryMs: this.options.listenRetryMs ?? 1_000,
        entriesBetween: async (from, to) => {
          const { rows } = await this.run<LogRow>({
            text: `SELECT ${COLUMNS} FROM logs WHERE id BETWEEN $1 AND $2 ORDER BY id`,
            values: [from, to],
          });
          return rows.map(toEntry);
        },
      },
      onEntries,
    );
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * An insert's failure that is not a refusal of data (classes 22, 23, 54) cannot be about any entry:
 * the entries travel only as parameters of one fixed statement. Whatever PostgreSQL answered
 * (a table renamed or dropped away — 42P01 —, a broken migration, …) is the store's state, so the
 * caller holds and retries (UNAVAILABLE) instead of giving valid entries up (INTERNAL → the
 * listener's dead-letter queue). Errors without a SQLSTATE (a bug of ours) pass unchanged.
 */
function storeFailure(err: unknown): unknown {
  if (err instanceof StoreUnavailableError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)
    ? new StoreUnavailableError(err, `log store failed the insert (${code}), for every entry`)
    : err;
}

function toEntry(row: LogRow): LogEntry {
  return {
    event_id: row.event_id,
    name: row.name,
    data: row.data,
    level: row.log_level,
    service: row.service_name,
    ...(row.trace_id ? { trace_id: row.trace_id } : {}),
    ...(row.span_id ? { span_id: row.span_id } : {}),
    ...(row.metadata ? { metadata: row.metadata } : {}),
    timestamp: row.timestamp,
  };
}
