import { MongoClient } from 'mongodb';
import { checkHealth, GrpcStatus, LOG_SERVICE_NAME } from '@micromesh/proto';
import { aLogMessage, aServiceName } from './factories';
import { freshMongoUrl, mongoServer } from './support/mongo-server';
import { startTestLogger, type TestLogger } from './start-test-logger';

const DEADLINE = { timeoutMs: 5_000 };

/**
 * The whole logger (gRPC in, MongoDB adapter out) on the run's MongoDB server: one entry the
 * server refuses fails only its caller. On FerretDB, an array inside an array passes the contract
 * schema and is refused by the server (a FerretDB 1.x limit) — the defence in depth of DESIGN.md's
 * trust rules, seen from a client; a real MongoDB stores it.
 */
describe(`logger gRPC on MongoDB (${mongoServer.kind})`, () => {
  let logger: TestLogger;
  const { url, database } = freshMongoUrl('logger_grpc_mongo');

  beforeAll(async () => {
    logger = await startTestLogger(url);
  });
  afterAll(async () => {
    await logger.stop();
    const client = new MongoClient(url);
    await client.db(database).dropDatabase();
    await client.close();
  });

  const nestedArrays = JSON.stringify({ matrix: [[1, 2], [3]] });

  it('When one entry of a WriteLogs batch is refused by the server, then only it is rejected with the reason and the rest are stored', async () => {
    const service = aServiceName();
    const good = Array.from({ length: 5 }, () => aLogMessage({ service }));
    const odd = aLogMessage({ service, metadata: nestedArrays });

    const result = await logger.calls.writeLogs(
      [...good.slice(0, 2), odd, ...good.slice(2)],
      DEADLINE,
    );

    const stored = await logger.service.store.query({ service, limit: 50 });
    if (mongoServer.kind === 'ferretdb') {
      expect(result).toMatchObject({ written: 5, duplicates: 0, rejected: 1 });
      expect(result.results.find((r) => r.event_id === odd.event_id)).toEqual({
        event_id: odd.event_id,
        outcome: 'rejected',
        reason: expect.stringContaining('nested arrays'),
      });
      expect(stored.map((e) => e.event_id).sort()).toEqual(good.map((m) => m.event_id).sort());
    } else {
      expect(result).toMatchObject({ written: 6, rejected: 0 });
      expect(stored).toHaveLength(6);
    }
    expect(await checkHealth(logger.health, LOG_SERVICE_NAME, 5_000)).toBe('SERVING');
  });

  it('When a single WriteLog is refused by the server, then that caller gets INVALID_ARGUMENT and the store stays SERVING', async () => {
    const message = aLogMessage({ metadata: nestedArrays });

    const outcome = await logger.calls.writeLog(message, DEADLINE).catch((e: unknown) => e);

    if (mongoServer.kind === 'ferretdb') {
      expect(outcome).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT });
    } else {
      expect(outcome).toMatchObject({ result: 'logged' });
    }
    const after = await logger.calls.writeLog(aLogMessage(), DEADLINE);
    expect(after.result).toBe('logged');
    expect(await checkHealth(logger.health, LOG_SERVICE_NAME, 5_000)).toBe('SERVING');
  });
});
