import { Client, Pool } from 'pg';
import { createPgPool, migrate, type Migration } from '@micromesh/kit';
import { captureLogs, createTestDatabase, type TestDatabase } from '@micromesh/kit/testing';

const migrations: Migration[] = [
  { version: 1, name: 'things', up: 'CREATE TABLE things (id int PRIMARY KEY)' },
  { version: 2, name: 'thing names', up: 'ALTER TABLE things ADD COLUMN name text' },
];

describe('migrate', () => {
  const { logger } = captureLogs('kit-test', 'silent');
  let db: TestDatabase;
  let pool: Pool;

  beforeEach(async () => {
    db = await createTestDatabase('kit_migrate');
    pool = new Pool({ connectionString: db.url, max: 6 });
  });
  afterEach(async () => {
    await pool.end();
    await db.drop();
  });

  it('When run twice, then each migration is applied once, in order', async () => {
    expect(await migrate({ pool, migrations, logger })).toEqual([1, 2]);
    expect(await migrate({ pool, migrations, logger })).toEqual([]);
    const { rows } = await pool.query('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual([1, 2]);
    await pool.query("INSERT INTO things (id, name) VALUES (1, 'one')");
  });

  it('When several replicas migrate at once, then the lock lets exactly one apply each step', async () => {
    const results = await Promise.all(
      Array.from({ length: 4 }, () => migrate({ pool, migrations, logger })),
    );
    expect(results.flat().sort()).toEqual([1, 2]);
  });

  it('When a migration fails, then it is rolled back, named, and not recorded', async () => {
    const broken: Migration[] = [
      ...migrations,
      { version: 3, name: 'broken', up: 'CREATE TABLE half (id int); SELECT no_such_function()' },
    ];
    await expect(migrate({ pool, migrations: broken, logger })).rejects.toThrow(
      'migration 3 (broken) failed',
    );
    const { rows } = await pool.query("SELECT to_regclass('half') AS half");
    expect(rows[0].half).toBeNull();
    const applied = await pool.query('SELECT max(version) AS v FROM schema_migrations');
    expect(applied.rows[0].v).toBe(2);
  });

  it('When versions are out of order, then it refuses before touching the database', async () => {
    await expect(
      migrate({ pool, migrations: [migrations[1]!, migrations[0]!], logger }),
    ).rejects.toThrow('strictly increasing');
    const { rows } = await pool.query("SELECT to_regclass('schema_migrations') AS t");
    expect(rows[0].t).toBeNull();
  });
});

describe('migrate: timeouts', () => {
  const { logger } = captureLogs('kit-test', 'silent');
  let db: TestDatabase;
  let pool: Pool;

  beforeEach(async () => {
    db = await createTestDatabase('kit_migrate_timeouts');
    // The pool every service uses: a 10 s statement timeout for request queries.
    pool = createPgPool({ connectionString: db.url, applicationName: 'kit-test', logger });
  });
  afterEach(async () => {
    await pool.end();
    await db.drop();
  });

  /** Another session holding the migration lock of `table` until `release()`. */
  async function holdLock(table = 'schema_migrations') {
    const holder = new Client({ connectionString: db.url, application_name: 'lock-holder' });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock(hashtext($1))', [table]);
    return { release: () => holder.end() };
  }

  it('When a migration runs 12 s, longer than the pool statement timeout, then it completes', async () => {
    const slow: Migration[] = [
      { version: 1, name: 'slow', up: 'SELECT pg_sleep(12); CREATE TABLE slow (id int)' },
    ];

    expect(await migrate({ pool, migrations: slow, logger })).toEqual([1]);
    const { rows } = await pool.query("SELECT to_regclass('slow') AS t");
    expect(rows[0].t).toBe('slow');
  }, 60_000);

  it('When the lock is held for 12 s by another replica, then migrate waits for it and applies', async () => {
    const lock = await holdLock();
    const release = setTimeout(() => void lock.release(), 12_000);

    try {
      const started = Date.now();
      expect(await migrate({ pool, migrations, logger })).toEqual([1, 2]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(11_500);
    } finally {
      clearTimeout(release);
      await lock.release().catch(() => {});
    }
  }, 60_000);

  it('When the lock is held past the bound, then migrate fails naming the lock it waited for', async () => {
    const lock = await holdLock();

    try {
      await expect(migrate({ pool, migrations, logger, lockTimeoutMs: 1_500 })).rejects.toThrow(
        /timed out after 1500 ms waiting for the migration lock of "schema_migrations" .*held by backend pid \d+ \(lock-holder\)/,
      );
    } finally {
      await lock.release();
    }
    const { rows } = await pool.query("SELECT to_regclass('things') AS t");
    expect(rows[0].t).toBeNull();
  });
});
