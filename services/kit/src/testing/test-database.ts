import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { infraEnv } from './infra-env';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

function adminUrl(database: string): string {
  const { pg } = infraEnv();
  const auth = `${encodeURIComponent(pg.user)}:${encodeURIComponent(pg.password)}`;
  return `postgres://${auth}@${pg.host}:${pg.port}/${database}`;
}

/** A fresh, empty database on the real PostgreSQL, so suites never see each other's rows. */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const name = `${prefix.replace(/[^a-z0-9_]/g, '_')}_${randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl('postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: adminUrl(name),
    async drop() {
      const client = new Client({ connectionString: adminUrl('postgres') });
      await client.connect();
      try {
        // FORCE terminates the database's backends, but a non-superuser may not terminate an
        // autovacuum worker that happens to be on it (42501, "must be a member of the role whose
        // process is being terminated"): wait for the worker, a bounded number of times.
        for (let attempt = 1; ; attempt += 1) {
          try {
            await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            return;
          } catch (err) {
            const code = (err as { code?: unknown }).code;
            if (code !== '42501' || attempt >= 40) throw err;
            await new Promise((resolve) => setTimeout(resolve, 250));
          }
        }
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * Makes a test database refuse every write the way a primary demoted by a failover does
 * (25006 read_only_sql_transaction): new sessions default to read-only, and the sessions open now
 * are ended so that the service's pool reconnects into that. `false` lifts it for new sessions
 * (open read-only sessions stay so until they end). Only for a database the test created.
 */
export async function setTestDatabaseReadOnly(name: string, readOnly: boolean): Promise<void> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`not a test database name: ${name}`);
  const admin = new Client({ connectionString: adminUrl('postgres') });
  await admin.connect();
  try {
    if (!readOnly) {
      await admin.query(`ALTER DATABASE ${name} RESET default_transaction_read_only`);
      return;
    }
    await admin.query(`ALTER DATABASE ${name} SET default_transaction_read_only = on`);
    await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
  } finally {
    await admin.end();
  }
}
