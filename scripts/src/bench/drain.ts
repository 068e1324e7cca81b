import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';

export interface StoredCount {
  total: number;
  distinct: number;
}

/** Rows the logger stored under one event name (the bench gives each run a unique name). */
export async function countStored(logsDatabaseUrl: string, name: string): Promise<StoredCount> {
  const client = new Client({ connectionString: logsDatabaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ total: string; distinct: string }>(
      'SELECT count(*) AS total, count(DISTINCT event_id) AS distinct FROM logs WHERE name = $1',
      [name],
    );
    return { total: Number(rows[0]?.total ?? 0), distinct: Number(rows[0]?.distinct ?? 0) };
  } finally {
    await client.end();
  }
}

/** Polls until `expected` rows are stored (or the time runs out); resolves with when it happened. */
export async function waitUntilStored(
  logsDatabaseUrl: string,
  name: string,
  expected: number,
  timeoutMs: number,
): Promise<{ count: StoredCount; at: number }> {
  const deadline = Date.now() + timeoutMs;
  let count = await countStored(logsDatabaseUrl, name);
  while (count.total < expected && Date.now() < deadline) {
    await sleep(50);
    count = await countStored(logsDatabaseUrl, name);
  }
  return { count, at: performance.now() };
}
