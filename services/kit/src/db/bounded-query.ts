import type { Pool, PoolClient, QueryResult } from 'pg';

/** One statement: a name makes pg prepare it once per connection and reuse the plan. */
export interface Statement {
  name?: string;
  text: string;
  values?: unknown[];
}

export interface BoundedQueryOptions {
  /** Whether an error means the database cannot be reached now (not a bad statement). */
  isConnectionError: (err: unknown) => boolean;
  /** The caller's own "unavailable" error (503 / UNAVAILABLE to its callers), from the cause. */
  unavailable: (cause: unknown) => Error;
}

export type RunStatement = <R extends object = Record<string, unknown>>(
  statement: Statement,
) => Promise<QueryResult<R>>;

/**
 * A statement runner for a pool where nothing waits without bound: acquiring a connection is
 * bounded by the pool's connection timeout and the statement by its statement_timeout (both set
 * by createPgPool). When the database cannot be reached the caller's own error is thrown, and a
 * client whose connection broke is destroyed instead of going back to the pool for the next
 * caller; after a statement error (bad data, a constraint) the healthy connection is kept.
 */
export function boundedQuery(pool: Pool, options: BoundedQueryOptions): RunStatement {
  return async <R extends object = Record<string, unknown>>(statement: Statement) => {
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw options.unavailable(err);
    }
    let broken: Error | undefined;
    try {
      return await client.query<R>(statement);
    } catch (err) {
      if (options.isConnectionError(err)) {
        broken = err instanceof Error ? err : new Error(String(err));
        throw options.unavailable(err);
      }
      throw err;
    } finally {
      client.release(broken);
    }
  };
}
