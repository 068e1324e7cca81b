import type { Pool } from 'pg';
import type { Logger } from 'pino';

export interface Migration {
  /** Strictly increasing; never reuse or edit one that has shipped. */
  version: number;
  name: string;
  /** SQL run inside one transaction. */
  up: string;
}

export interface MigrateOptions {
  pool: Pool;
  migrations: readonly Migration[];
  logger: Logger;
  /** Name of the bookkeeping table; one per service sharing a database. */
  table?: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Applies pending migrations in order, each in its own transaction, under a PostgreSQL advisory
 * lock so several replicas starting together apply each migration exactly once.
 */
export async function migrate(options: MigrateOptions): Promise<number[]> {
  const { pool, logger } = options;
  const table = options.table ?? 'schema_migrations';
  if (!IDENTIFIER.test(table)) throw new Error(`invalid migrations table name: ${table}`);
  const versions = options.migrations.map((m) => m.version);
  if (versions.some((v, i) => i > 0 && v <= (versions[i - 1] ?? 0))) {
    throw new Error('migrations must be listed in strictly increasing version order');
  }

  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [table]);
    try {
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${table} (
           version integer PRIMARY KEY,
           name text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${table}`);
      const done = new Set(rows.map((r) => r.version));
      for (const migration of options.migrations) {
        if (done.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.up);
          await client.query(`INSERT INTO ${table} (version, name) VALUES ($1, $2)`, [
            migration.version,
            migration.name,
          ]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${migration.version} (${migration.name}) failed`, {
            cause: err,
          });
        }
        applied.push(migration.version);
        logger.info({ version: migration.version, name: migration.name }, 'migration applied');
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [table]);
    }
  } finally {
    client.release();
  }
  return applied;
}
