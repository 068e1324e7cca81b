import { Client, type Pool } from 'pg';
import { boundedQuery, createPgPool, type RunStatement } from '@micromesh/kit';
import {
  captureLogs,
  createTestDatabase,
  waitFor,
  type TestDatabase,
} from '@micromesh/kit/testing';

class Unavailable extends Error {
  constructor(cause: unknown) {
    super('database unavailable', { cause });
  }
}

/** A caller's classification (the services have their own): refused, reset, or terminated. */
function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (/^08|^57P0/.test(code) || /^E[A-Z]+$/.test(code))) return true;
  return err instanceof Error && /Connection terminated/i.test(err.message);
}

describe('boundedQuery (one statement on a pool, bounded, broken connections discarded)', () => {
  const { logger } = captureLogs('kit-test', 'silent');
  let db: TestDatabase;
  let pool: Pool;
  let run: RunStatement;

  const backendPid = async () =>
    (await run<{ pid: number }>({ text: 'SELECT pg_backend_pid() AS pid' })).rows[0]!.pid;

  beforeAll(async () => {
    db = await createTestDatabase('kit_bounded');
  });
  beforeEach(() => {
    pool = createPgPool({
      connectionString: db.url,
      applicationName: 'kit-bounded-query-test',
      logger,
      max: 1,
      statementTimeoutMs: 1_000,
    });
    run = boundedQuery(pool, {
      isConnectionError,
      unavailable: (cause) => new Unavailable(cause),
    });
  });
  afterEach(async () => {
    await pool.end();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('When the database answers, then the rows come back and a named statement runs again', async () => {
    const statement = { name: 'kit_bounded_add', text: 'SELECT $1::int + 1 AS n', values: [41] };

    expect((await run<{ n: number }>(statement)).rows).toEqual([{ n: 42 }]);
    expect((await run<{ n: number }>(statement)).rows).toEqual([{ n: 42 }]);
  });

  it('When nothing listens at the address, then the caller gets its own unavailable error with the cause', async () => {
    const dead = createPgPool({
      connectionString: 'postgres://nobody:nothing@127.0.0.1:1/none',
      applicationName: 'kit-bounded-query-test',
      logger,
      connectionTimeoutMs: 500,
    });
    const runDead = boundedQuery(dead, {
      isConnectionError,
      unavailable: (cause) => new Unavailable(cause),
    });
    try {
      const error = await runDead({ text: 'SELECT 1' }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(Unavailable);
      expect((error as Unavailable).cause).toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      await dead.end();
    }
  });

  it('When a statement fails on its data, then that error passes through and the connection is kept', async () => {
    const before = await backendPid();

    const error = await run({ text: 'SELECT 1 / 0' }).catch((e: unknown) => e);

    expect(error).not.toBeInstanceOf(Unavailable);
    expect(error).toMatchObject({ code: '22012' });
    expect(await backendPid()).toBe(before);
  });

  it('When a statement runs past statement_timeout, then it is cancelled instead of waiting', async () => {
    const started = Date.now();

    const error = await run({ text: 'SELECT pg_sleep(10)' }).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: '57014' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('When the connection breaks under a statement, then the caller gets unavailable and the next statement runs on a new connection', async () => {
    const before = await backendPid();
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    try {
      const running = run({ text: 'SELECT pg_sleep(0.9)' }).catch((e: unknown) => e);
      await waitFor(async () => {
        const { rows } = await admin.query<{ state: string }>(
          'SELECT state FROM pg_stat_activity WHERE pid = $1',
          [before],
        );
        return rows[0]?.state === 'active';
      });
      await admin.query('SELECT pg_terminate_backend($1)', [before]);

      expect(await running).toBeInstanceOf(Unavailable);
    } finally {
      await admin.end();
    }
    const after = await backendPid();

    expect(after).not.toBe(before);
  });
});
