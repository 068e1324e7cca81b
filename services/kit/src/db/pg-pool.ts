import { Pool, type PoolConfig } from 'pg';
import type { Logger } from 'pino';

export interface PgPoolOptions {
  connectionString: string;
  /** Shown in pg_stat_activity. */
  applicationName: string;
  max?: number;
  /** Bounds every statement; a stuck query fails instead of holding a request forever. */
  statementTimeoutMs?: number;
  connectionTimeoutMs?: number;
  logger: Logger;
}

/** A pg pool whose idle-client errors are logged instead of crashing the process. */
export function createPgPool(options: PgPoolOptions): Pool {
  const config: PoolConfig = {
    connectionString: options.connectionString,
    application_name: options.applicationName,
    max: options.max ?? 10,
    statement_timeout: options.statementTimeoutMs ?? 10_000,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 3_000,
    idleTimeoutMillis: 30_000,
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
