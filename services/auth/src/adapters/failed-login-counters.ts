import type { Pool } from 'pg';
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { LoginBudget } from '../domain/ports';

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
export function createFailedLoginCounter(pool: Pool, settings: CounterSettings): LoginBudget {
  const { keyPrefix, points, durationSeconds } = settings;
  return new RateLimiterBudget(
    new RateLimiterPostgres({
      storeClient: pool,
      storeType: 'pool',
      tableName: 'login_limits',
      tableCreated: true,
      keyPrefix,
      points,
      duration: durationSeconds,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration: durationSeconds }),
    }),
  );
}

/** rate-limiter-flexible rejects a spent budget with a RateLimiterRes; the port resolves a wait. */
class RateLimiterBudget implements LoginBudget {
  constructor(private readonly limiter: RateLimiterAbstract) {}

  async consume(key: string): Promise<number | undefined> {
    try {
      await this.limiter.consume(key);
      return undefined;
    } catch (err) {
      if (err instanceof RateLimiterRes) return err.msBeforeNext;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.limiter.delete(key);
  }

  async reward(key: string, points: number): Promise<void> {
    await this.limiter.reward(key, points);
  }
}
