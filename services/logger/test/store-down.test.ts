import { createTestDatabase, waitFor, type TestDatabase } from '@micromesh/kit/testing';
import { checkHealth, GrpcStatus, LOG_SERVICE_NAME } from '@micromesh/proto';
import { Client } from 'pg';
import request from 'supertest';
import { aLogMessage, aNewLog, aServiceName } from './factories';
import { openSse } from './sse-client';
import { startTestLogger, type TestLogger } from './start-test-logger';

/** Runs SQL on the maintenance database (the logger's own database is the one we take away). */
async function asAdmin(dbUrl: string, sql: string): Promise<void> {
  const url = new URL(dbUrl);
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

describe('logger when the store goes down', () => {
  let db: TestDatabase;
  let logger: TestLogger;

  beforeAll(async () => {
    db = await createTestDatabase('logger_down');
    logger = await startTestLogger(db.url);
  });
  afterAll(async () => {
    await logger.stop();
    await db.drop();
  });

  it('When PostgreSQL refuses the database, then calls fail UNAVAILABLE fast, health and readiness go down, and all recover', async () => {
    // Arrange: a live tail is open; then the database goes away: new connections are refused
    // and the existing ones (the pool's and the tail's LISTEN connection) are killed.
    const service = aServiceName();
    const stream = await openSse(`${logger.service.address.url}/logs/stream?service=${service}`);
    await waitFor(() => stream.events.some((e) => e.event === 'ready'), { what: 'ready' });
    await asAdmin(db.url, `ALTER DATABASE ${db.name} ALLOW_CONNECTIONS false`);
    await asAdmin(
      db.url,
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${db.name}'`,
    );

    // Act + Assert: a write answers UNAVAILABLE — not DEADLINE_EXCEEDED, so the logger answered
    // within the caller's 5 s deadline instead of hanging on the pool.
    const error = await logger.calls
      .writeLog(
        { name: 'during outage', data: 'x' },
        { timeoutMs: 5_000, metadata: { 'x-request-id': 'outage-1' } },
      )
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: GrpcStatus.UNAVAILABLE });
    expect(logger.logs).toContainEqual(
      expect.objectContaining({ reqId: 'outage-1', msg: 'log store unavailable' }),
    );

    await waitFor(
      async () => (await checkHealth(logger.health, LOG_SERVICE_NAME, 2_000)) === 'NOT_SERVING',
      { timeoutMs: 10_000, what: 'gRPC health NOT_SERVING' },
    );
    const ready = await request(logger.service.address.url).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.data.checks.store.ok).toBe(false);
    const viaHttp = await request(logger.service.address.url).post('/log').send(aNewLog());
    expect(viaHttp.status).toBe(503);
    expect(viaHttp.body).toEqual({ error: true, message: 'log store unavailable' });

    // Recovery: the database comes back; nothing is restarted.
    await asAdmin(db.url, `ALTER DATABASE ${db.name} ALLOW_CONNECTIONS true`);

    await waitFor(
      async () => (await checkHealth(logger.health, LOG_SERVICE_NAME, 2_000)) === 'SERVING',
      { timeoutMs: 15_000, what: 'gRPC health SERVING again' },
    );
    const body = aNewLog();
    const written = await logger.calls.writeLog(
      { ...body, metadata: JSON.stringify(body.metadata) },
      { timeoutMs: 5_000 },
    );
    expect(written).toEqual({ result: 'logged', event_id: body.event_id });
    expect((await request(logger.service.address.url).get('/readyz')).status).toBe(200);

    // The live tail reconnects its LISTEN connection by itself (within its retry delay; entries
    // committed before that are not replayed, so keep writing fresh ones until one arrives).
    try {
      const posted: string[] = [];
      const delivered = await waitFor(
        async () => {
          const entry = aNewLog({ service });
          posted.push(entry.event_id);
          await request(logger.service.address.url).post('/log').send(entry).expect(202);
          return stream.events.find((e) => e.event === 'log');
        },
        { timeoutMs: 15_000, intervalMs: 300, what: 'tail delivery after recovery' },
      );
      expect(posted).toContain(delivered.id);
    } finally {
      stream.close();
    }
  });
});

describe('logger when the store refuses an insert for no entry of it', () => {
  let db: TestDatabase;
  let logger: TestLogger;
  let owner: Client;

  beforeAll(async () => {
    db = await createTestDatabase('logger_no_table');
    logger = await startTestLogger(db.url);
    owner = new Client({ connectionString: db.url });
    await owner.connect();
  });
  afterAll(async () => {
    await owner.end();
    await logger.stop();
    await db.drop();
  });

  it('When the logs table is gone (42P01: renamed away by a bad migration or an operator), then WriteLogs is UNAVAILABLE for the batch — held by the listener — not INTERNAL, and works again once it is back', async () => {
    // Arrange
    await owner.query('ALTER TABLE logs RENAME TO logs_moved_away');

    // Act
    const error = await logger.calls
      .writeLogs([aLogMessage(), aLogMessage()], { timeoutMs: 5_000 })
      .catch((e: unknown) => e);
    await owner.query('ALTER TABLE logs_moved_away RENAME TO logs');

    // Assert
    expect(error).toMatchObject({ code: GrpcStatus.UNAVAILABLE });
    expect((error as Error).message).toMatch(/42P01/);
    await waitFor(
      async () =>
        (await logger.calls.writeLogs([aLogMessage()], { timeoutMs: 5_000 }).catch(() => null))
          ?.written === 1,
      { timeoutMs: 15_000, what: 'a write stored once the table is back' },
    );
  });
});
