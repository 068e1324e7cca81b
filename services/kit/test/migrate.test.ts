import { Pool } from 'pg';
import { migrate, type Migration } from '@micromesh/kit';
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
