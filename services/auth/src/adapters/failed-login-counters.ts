import type { Pool } from 'pg';
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

export interface CounterSettings {
  /** Distinguishes counters sharing the table, e.g. `login_ip`. */
  keyPrefix: string;
  points: number;
  durationSeconds: number;
}

/**
 * A fixed-window counter kept in PostgreSQL (table `login_limits`, created by a migration), so
 * every replica shares it. While PostgreSQL fails, a per-process in-memory counter stands in.
 */
export function createFailedLoginCounter(
  pool: Pool,
  settings: CounterSettings,
): RateLimiterAbstract {
  const { keyPrefix, points, durationSeconds } = settings;
  return new RateLimiterPostgres({
    storeClient: pool,
    storeType: 'pool',
    tableName: 'login_limits',
    tableCreated: true,
    keyPrefix,
    points,
    duration: durationSeconds,
    insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration: durationSeconds }),
  });
}
