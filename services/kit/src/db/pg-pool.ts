import { Pool, type PoolConfig } from 'pg';
import type { Logger } from 'pino';

export interface PgPoolOptions {
  connectionString: string;
  /** Shown in pg_stat_activity. */
  applicationName: string;
  max?: number;
  /** Bounds every statement on the server; a stuck query fails instead of holding a request. */
  statementTimeoutMs?: number;
  connectionTimeoutMs?: number;
  /**
   * Bounds every statement on the client: a server that stops answering (a frozen host, a
   * blackholed address, a partition) rejects the statement with "Query read timeout" (classified
   * `unavailable`) instead of leaving it to the kernel's retransmission timeout, ~15 minutes.
   * Default: statementTimeoutMs + 2 s, so a server that answers always wins with its own 57014.
   */
  queryTimeoutMs?: number;
  logger: Logger;
}

/** Delay before TCP keepalive probes start on an idle pooled connection. */
const KEEPALIVE_IDLE_MS = 10_000;
/** How far the client-side deadline trails the server's statement_timeout by default. */
const QUERY_TIMEOUT_MARGIN_MS = 2_000;

/**
 * A pg pool where nothing waits without bound — acquiring a connection (connectionTimeoutMs), a
 * statement on the server (statement_timeout) and on the client (query_timeout), with TCP
 * keepalive so a dead peer of an idle connection is noticed — and whose idle-client errors are
 * logged instead of crashing the process.
 */
export function createPgPool(options: PgPoolOptions): Pool {
  const statementTimeoutMs = options.statementTimeoutMs ?? 10_000;
  const config: PoolConfig = {
    connectionString: options.connectionString,
    application_name: options.applicationName,
    max: options.max ?? 10,
    statement_timeout: statementTimeoutMs,
    query_timeout: options.queryTimeoutMs ?? statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 3_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS,
  };
  const pool = new Pool(config);
  pool.on('error', (err) => options.logger.warn({ err }, 'idle PostgreSQL client failed'));
  return pool;
}

/** Readiness check: the database answers a trivial query. */
export function pgHealthCheck(pool: Pool): () => Promise<void> {
  return async () => {
    await pool.query('SELECT 1');
  };
}
