import { createServer, type AddressInfo } from 'node:net';
import { Client, Pool } from 'pg';
import { isPgDataRefusal, isPgUnavailable, pgErrorKind, pgRefusalReason } from '@micromesh/kit';
import { createTestDatabase, type TestDatabase } from '@micromesh/kit/testing';

/** The error a promise rejects with (fails the test when it resolves). */
async function errorOf(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error('expected a PostgreSQL error');
    },
    (err: unknown) => err,
  );
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('pgErrorKind (errors from a real PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase('kit_pg_errors');
    pool = new Pool({ connectionString: db.url, max: 2 });
    await pool.query('CREATE TABLE things (id int PRIMARY KEY, name text, note varchar(3))');
    await pool.query("INSERT INTO things (id, name) VALUES (1, 'one')");
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('When nothing listens on the port, then the error is unavailable', async () => {
    const client = new Client({ host: '127.0.0.1', port: await closedPort() });
    const err = await errorOf(client.connect());

    expect(pgErrorKind(err)).toBe('unavailable');
    expect(isPgUnavailable(err)).toBe(true);
  });

  it('When the database does not exist, then the error is unavailable (3D000)', async () => {
    const client = new Client({ connectionString: db.url.replace(/\/[^/]+$/, '/no_such_db_here') });
    const err = await errorOf(client.connect());

    expect(err).toMatchObject({ code: '3D000' });
    expect(pgErrorKind(err)).toBe('unavailable');
  });

  it('When the server ends the session (57P01), then the error is unavailable', async () => {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    client.on('error', () => undefined);
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const killed = errorOf(client.query('SELECT pg_sleep(30)'));
    await pool.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    const err = await killed;
    await client.end().catch(() => undefined);

    expect(pgErrorKind(err)).toBe('unavailable');
  });

  it('When a statement runs past statement_timeout, then the error is unavailable (57014): the store is slow, not the entry wrong', async () => {
    const client = await pool.connect();
    try {
      await client.query("SET statement_timeout = '50ms'");
      const err = await errorOf(client.query('SELECT pg_sleep(2)'));

      expect(err).toMatchObject({ code: '57014' });
      expect(pgErrorKind(err)).toBe('unavailable');
      expect(isPgDataRefusal(err)).toBe(false);
    } finally {
      await client.query('RESET statement_timeout');
      client.release();
    }
  });

  it('When the session is read-only (a demoted primary after a failover), then a write is unavailable (25006), not a refusal', async () => {
    const client = await pool.connect();
    try {
      await client.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY');
      const err = await errorOf(client.query("INSERT INTO things (id, name) VALUES (7, 'seven')"));

      expect(err).toMatchObject({ code: '25006' });
      expect(pgErrorKind(err)).toBe('unavailable');
      expect(isPgDataRefusal(err)).toBe(false);
    } finally {
      await client.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE');
      client.release();
    }
  });

  it('When a row lock is not available (55P03), then the error is unavailable', async () => {
    const holder = await pool.connect();
    const other = await pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT * FROM things WHERE id = 1 FOR UPDATE');
      const err = await errorOf(other.query('SELECT * FROM things WHERE id = 1 FOR UPDATE NOWAIT'));

      expect(err).toMatchObject({ code: '55P03' });
      expect(pgErrorKind(err)).toBe('unavailable');
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
      other.release();
    }
  });

  it.each([
    ['53100', 'disk_full'],
    ['53200', 'out_of_memory'],
    ['53300', 'too_many_connections'],
    ['40001', 'serialization_failure'],
    ['40P01', 'deadlock_detected'],
    ['42501', 'insufficient_privilege'],
  ])(
    'When the server answers %s (%s), then the store is unavailable, not the entry refused',
    (code) => {
      const err = Object.assign(new Error('from the server'), { code });

      expect(pgErrorKind(err)).toBe('unavailable');
      expect(isPgUnavailable(err)).toBe(true);
      expect(isPgDataRefusal(err)).toBe(false);
    },
  );

  it("When node-postgres's own deadline passes (query_timeout), then the error is unavailable", () => {
    expect(pgErrorKind(new Error('Query read timeout'))).toBe('unavailable');
  });

  it('When a value cannot be stored, then it is a data refusal with the SQLSTATE in the reason', async () => {
    const nul = await errorOf(pool.query('SELECT $1::text', ['a\u0000b']));
    const escape = await errorOf(pool.query('SELECT \'"\\u0000"\'::jsonb'));
    const tooLong = await errorOf(pool.query("INSERT INTO things (id, note) VALUES (2, 'abcd')"));

    expect(nul).toMatchObject({ code: '22021' });
    expect(pgErrorKind(nul)).toBe('data');
    expect(escape).toMatchObject({ code: '22P05' });
    expect(pgErrorKind(escape)).toBe('data');
    expect(pgErrorKind(tooLong)).toBe('data');
    expect(isPgDataRefusal(tooLong)).toBe(true);
    expect(pgRefusalReason(tooLong)).toMatch(/^PostgreSQL refused the entry \(22001\): /);
  });

  it('When a constraint is violated, then it is an integrity refusal', async () => {
    const err = await errorOf(pool.query("INSERT INTO things (id, name) VALUES (1, 'again')"));

    expect(pgErrorKind(err)).toBe('integrity');
    expect(isPgDataRefusal(err)).toBe(true);
  });

  it('When the statement itself is wrong, then it is other: neither unavailable nor a refusal', async () => {
    const err = await errorOf(pool.query('SELEC 1'));

    expect(pgErrorKind(err)).toBe('other');
    expect(isPgUnavailable(err)).toBe(false);
    expect(isPgDataRefusal(err)).toBe(false);
    expect(pgErrorKind('not an error')).toBe('other');
  });
});
