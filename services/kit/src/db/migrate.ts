// Kept by hand: migrations are SQL strings built into each service (no files to ship), the lock
// wait is bounded and names its holder, and ~100 lines do not earn a migration library and its CLI.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool, PoolClient, QueryConfig } from 'pg';
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
  /**
   * Longest wait for the migration lock (another replica migrating); then start-up fails saying
   * what it waited for. Default: MIGRATION_LOCK_TIMEOUT_MS from the environment, else 60 000.
   */
  lockTimeoutMs?: number;
}

const DEFAULT_LOCK_TIMEOUT_MS = 60_000;
const LOCK_POLL_MS = 250;

function lockTimeoutFromEnv(): number {
  const raw = process.env.MIGRATION_LOCK_TIMEOUT_MS;
  if (raw === undefined || raw.trim() === '') return DEFAULT_LOCK_TIMEOUT_MS;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`MIGRATION_LOCK_TIMEOUT_MS must be a positive integer (ms); got "${raw}"`);
  }
  return value;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Applies pending migrations in order, each in its own transaction, under a PostgreSQL advisory
 * lock so several replicas starting together apply each migration exactly once.
 *
 * The migration connection runs with no statement timeout (a migration may legitimately take
 * longer than the pool's bound for requests), and the lock wait is bounded on its own
 * (`lockTimeoutMs`) by polling pg_try_advisory_lock, so a lock that is never released fails the
 * start with a message naming the lock instead of hanging or dying on a statement timeout. The
 * connection is discarded afterwards, never handed back to the pool without its timeout.
 */
/** The longest a timer can wait (2^31 - 1 ms, about 24.8 days). */
const MIGRATION_QUERY_TIMEOUT_MS = 2_147_483_647;

export async function migrate(options: MigrateOptions): Promise<number[]> {
  const { pool, logger } = options;
  const table = options.table ?? 'schema_migrations';
  if (!IDENTIFIER.test(table)) throw new Error(`invalid migrations table name: ${table}`);
  const versions = options.migrations.map((m) => m.version);
  if (versions.some((v, i) => i > 0 && v <= (versions[i - 1] ?? 0))) {
    throw new Error('migrations must be listed in strictly increasing version order');
  }

  const lockTimeoutMs = options.lockTimeoutMs ?? lockTimeoutFromEnv();

  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query('SET statement_timeout = 0');
    await acquireLock(client, table, lockTimeoutMs);
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
          // A migration may run long: no server-side limit (above), and none on the client beyond
          // what a timer can wait (the pool's query_timeout is sized for ordinary statements).
          // (node-postgres honours a per-query query_timeout; its types do not list it.)
          const statement: QueryConfig & { query_timeout: number } = {
            text: migration.up,
            query_timeout: MIGRATION_QUERY_TIMEOUT_MS,
          };
          await client.query(statement);
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
    // Destroyed rather than returned: it no longer has the pool's statement timeout.
    client.release(true);
  }
  return applied;
}

async function acquireLock(client: PoolClient, table: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
      [table],
    );
    if (rows[0]?.locked) return;
    if (Date.now() >= deadline) {
      const holder = await lockHolder(client, table);
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for the migration lock of "${table}" ` +
          `(PostgreSQL advisory lock hashtext('${table}'), held by ${holder}); ` +
          'another replica may still be migrating. Raise MIGRATION_LOCK_TIMEOUT_MS or end that session.',
      );
    }
    await sleep(Math.min(LOCK_POLL_MS, Math.max(1, deadline - Date.now())));
  }
}

/** Who holds the lock, for the error message (best effort). */
async function lockHolder(client: PoolClient, table: string): Promise<string> {
  try {
    const { rows } = await client.query<{ pid: number; application_name: string }>(
      `SELECT l.pid, a.application_name FROM pg_locks l
         JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted
          AND l.objid = (hashtext($1)::bigint & 4294967295)::oid AND l.objsubid = 1`,
      [table],
    );
    const holder = rows[0];
    if (!holder) return 'another session';
    return `backend pid ${holder.pid}${holder.application_name ? ` (${holder.application_name})` : ''}`;
  } catch {
    return 'another session';
  }
}
