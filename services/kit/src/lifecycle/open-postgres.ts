import type { Pool } from 'pg';
import { migrate, type Migration } from '../db/migrate';
import { createPgPool, pgHealthCheck, type PgPoolOptions } from '../db/pg-pool';
import type { BaseConfig, ServiceContext } from './service-context';

export interface OpenPostgresOptions extends Omit<PgPoolOptions, 'logger'> {
  migrations: readonly Migration[];
  /** The service's own bookkeeping table (several services may share a database). */
  migrationsTable: string;
}

/**
 * A service's PostgreSQL: the pool, with the service's migrations applied; then the `postgres`
 * readiness check and the pool's close at shutdown. A failed migration ends the pool and fails
 * the start.
 */
export async function openPostgres<C extends BaseConfig>(
  ctx: ServiceContext<C>,
  options: OpenPostgresOptions,
): Promise<Pool> {
  const { migrations, migrationsTable, ...poolOptions } = options;
  const pool = createPgPool({ ...poolOptions, logger: ctx.logger });
  try {
    await migrate({ pool, migrations, logger: ctx.logger, table: migrationsTable });
  } catch (err) {
    await pool.end();
    throw err;
  }
  ctx.lifecycle.onShutdown('postgres', () => pool.end());
  ctx.health.addCheck('postgres', pgHealthCheck(pool));
  return pool;
}
