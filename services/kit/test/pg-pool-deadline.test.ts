import type { Pool } from 'pg';
import { createPgPool, pgErrorKind } from '@micromesh/kit';
import {
  captureLogs,
  createTestDatabase,
  infraEnv,
  startFreezableProxy,
  type FreezableProxy,
  type TestDatabase,
} from '@micromesh/kit/testing';

jest.setTimeout(60_000);

/** How a promise settled, and when (ms after `since`); gives up after `capMs` (a hang). */
async function settleWithin(
  work: Promise<unknown>,
  since: number,
  capMs: number,
): Promise<
  { outcome: 'rejected'; err: unknown; ms: number } | { outcome: 'resolved' | 'hung'; ms: number }
> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), capMs);
  });
  try {
    const settled = await Promise.race([
      work.then(
        () => ({ outcome: 'resolved' as const }),
        (err: unknown) => ({ outcome: 'rejected' as const, err }),
      ),
      hung.then(() => ({ outcome: 'hung' as const })),
    ]);
    return { ...settled, ms: performance.now() - since };
  } finally {
    clearTimeout(timer);
  }
}

describe('createPgPool: a client-side deadline on every statement', () => {
  const { logger } = captureLogs('kit-test', 'silent');
  let db: TestDatabase;
  let proxy: FreezableProxy;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase('kit_pg_deadline');
  });
  beforeEach(async () => {
    const { pg } = infraEnv();
    proxy = await startFreezableProxy({ host: pg.host, port: pg.port });
    const url = new URL(db.url);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    pool = createPgPool({
      connectionString: url.toString(),
      applicationName: 'kit-pg-deadline-test',
      logger,
      max: 2,
      statementTimeoutMs: 2_000,
    });
  });
  afterEach(async () => {
    await proxy.close();
    await pool.end().catch(() => undefined);
  });
  afterAll(() => db.drop());

  it('When the database stops answering under an idle pooled connection (frozen, not closed), then a statement rejects within its bound as unavailable instead of hanging', async () => {
    // Arrange: the pool holds an idle connection that worked.
    await pool.query('SELECT 1');
    expect(pool.idleCount).toBe(1);

    // Act: the peer goes silent (a frozen host, a blackholed address): no FIN, no RST.
    proxy.freeze();
    const started = performance.now();
    const result = await settleWithin(pool.query('SELECT 1'), started, 20_000);

    // Assert: statement_timeout (2 s) is the server's and cannot fire; the client's own deadline
    // (statement_timeout + 2 s) does, and the error reads as an outage to every service.
    expect(result.outcome).toBe('rejected');
    expect(result.ms).toBeLessThan(8_000);
    if (result.outcome === 'rejected') expect(pgErrorKind(result.err)).toBe('unavailable');
  });

  it('When the database answers, then the client-side deadline leaves the server its own statement_timeout (57014 first)', async () => {
    const err = await pool.query('SELECT pg_sleep(10)').catch((e: unknown) => e);

    expect(err).toMatchObject({ code: '57014' });
  });
});
