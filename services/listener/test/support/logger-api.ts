import { Pool } from 'pg';

export interface StoredCounts {
  rows: number;
  distinct: number;
}

/** Reads what the logger stored in its PostgreSQL database (the `logs` table of its migrations). */
export function openLogStore(databaseUrl: string) {
  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  return {
    async counts(): Promise<StoredCounts> {
      const { rows } = await pool.query<StoredCounts>(
        'SELECT count(*)::int AS rows, count(DISTINCT event_id)::int AS distinct FROM logs',
      );
      return rows[0] ?? { rows: 0, distinct: 0 };
    },
    /** Rows and distinct event ids stored among `eventIds` (other tests' rows do not count). */
    async countsOf(eventIds: readonly string[]): Promise<StoredCounts> {
      const { rows } = await pool.query<StoredCounts>(
        `SELECT count(*)::int AS rows, count(DISTINCT event_id)::int AS distinct
           FROM logs WHERE event_id = ANY($1::uuid[])`,
        [eventIds],
      );
      return rows[0] ?? { rows: 0, distinct: 0 };
    },
    /** Seconds between the first and the last of `eventIds` reaching the table. */
    async insertWindowSeconds(eventIds: readonly string[]): Promise<number> {
      const { rows } = await pool.query<{ seconds: number }>(
        `SELECT extract(epoch FROM max(received_at) - min(received_at))::float AS seconds
           FROM logs WHERE event_id = ANY($1::uuid[])`,
        [eventIds],
      );
      return rows[0]?.seconds ?? 0;
    },
    /**
     * Makes the real PostgreSQL refuse one exact `data` value (a CHECK constraint on the logs
     * table): an event that passes the contract schema yet is refused by the store.
     */
    async refuseData(data: string): Promise<void> {
      const literal = `'${data.replace(/'/g, "''")}'`;
      await pool.query(
        `ALTER TABLE logs ADD CONSTRAINT listener_test_refuse CHECK (data <> ${literal}) NOT VALID`,
      );
    },
    /** OS pids of the PostgreSQL backends serving this database (for CPU accounting). */
    async backendPids(): Promise<number[]> {
      const { rows } = await pool.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
      return rows.map((row) => row.pid);
    },
    async eventIds(): Promise<Set<string>> {
      const { rows } = await pool.query<{ event_id: string }>('SELECT event_id FROM logs');
      return new Set(rows.map((row) => row.event_id));
    },
    close: () => pool.end(),
  };
}

export type LogStore = ReturnType<typeof openLogStore>;
