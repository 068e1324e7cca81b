import { createTestDatabase, type TestDatabase } from '@micromesh/kit/testing';
import {
  callUnary,
  checkHealth,
  GrpcStatus,
  LOG_SERVICE_NAME,
  type LogResponse__Output,
} from '@micromesh/proto';
import request from 'supertest';
import { aLogMessage, aServiceName, refuseDataInStore } from './factories';
import { startTestLogger, type TestLogger } from './start-test-logger';

const DEADLINE = { timeoutMs: 5_000 };

/** Current value of logger_entries_total{outcome} from the service's /metrics. */
async function entriesCounter(
  url: string,
  outcome: 'stored' | 'duplicate' | 'rejected',
): Promise<number> {
  const res = await request(url).get('/metrics');
  const line = new RegExp(`^logger_entries_total\\{[^}]*outcome="${outcome}"[^}]*\\} (\\d+)$`, 'm');
  return Number(line.exec(res.text)?.[1] ?? 0);
}

/** Fixture times on a whole second an hour ago: inside any retention window. */
const anHourAgo = Math.floor(Date.now() / 1000) * 1000 - 60 * 60_000;
describe('logger gRPC', () => {
  let db: TestDatabase;
  let logger: TestLogger;

  beforeAll(async () => {
    db = await createTestDatabase('logger_grpc');
    logger = await startTestLogger(db.url, { GRPC_MAX_MESSAGE_BYTES: String(256 * 1024) });
  });
  afterAll(async () => {
    await logger.stop();
    await db.drop();
  });

  describe('WriteLog', () => {
    it('When the data is empty, then it is still a valid log', async () => {
      const response = await logger.calls.writeLog({ name: 'empty', data: '' }, DEADLINE);

      expect((await logger.service.store.get(response.event_id))?.data).toBe('');
    });

    it('When a reference client sends only name and data, then it is logged with an assigned event_id and defaults', async () => {
      const response = await logger.calls.writeLog({ name: 'ref', data: 'hello' }, DEADLINE);

      expect(response.result).toBe('logged');
      const stored = await logger.service.store.get(response.event_id);
      expect(stored).toMatchObject({
        name: 'ref',
        data: 'hello',
        level: 'INFO',
        service: 'unknown',
      });
    });

    it('When every extended field is sent, then the entry is stored with them all', async () => {
      const message = aLogMessage({ level: 'warn' });

      const response = await logger.calls.writeLog(message, DEADLINE);

      expect(response).toEqual({ result: 'logged', event_id: message.event_id });
      expect(await logger.service.store.get(message.event_id!)).toEqual({
        event_id: message.event_id,
        name: message.name,
        data: message.data,
        level: 'WARNING',
        service: message.service,
        trace_id: message.trace_id,
        span_id: message.span_id,
        metadata: JSON.parse(message.metadata!),
        timestamp: new Date(message.timestamp!),
      });
    });

    it('When the same event_id is written twice, then the second answers "duplicate" and one row exists', async () => {
      const message = aLogMessage({ service: aServiceName() });
      await logger.calls.writeLog(message, DEADLINE);

      const again = await logger.calls.writeLog({ ...message, data: 'changed' }, DEADLINE);

      expect(again.result).toBe('duplicate');
      const rows = await logger.service.store.query({ service: message.service!, limit: 10 });
      expect(rows.map((r) => r.data)).toEqual([message.data]);
    });

    it('When the entry is malformed, then it fails INVALID_ARGUMENT naming the fields and stores nothing', async () => {
      const service = aServiceName();
      const bad = aLogMessage({
        service,
        name: '',
        level: 'LOUD',
        metadata: '[1]',
        event_id: 'nope',
      });

      const error = await logger.calls.writeLog(bad, DEADLINE).catch((e: unknown) => e);

      expect(error).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT });
      expect((error as Error).message).toMatch(/metadata/);
      expect(await logger.service.store.query({ service, limit: 10 })).toEqual([]);
    });

    it('When logEntry is missing altogether, then it fails INVALID_ARGUMENT', async () => {
      const error = await callUnary<LogResponse__Output>(
        (md, opts, cb) => logger.client.WriteLog({}, md, opts, cb),
        DEADLINE,
      ).catch((e: unknown) => e);

      expect(error).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT });
    });

    it('When the message is larger than GRPC_MAX_MESSAGE_BYTES, then it fails RESOURCE_EXHAUSTED', async () => {
      const service = aServiceName();

      const error = await logger.calls
        .writeLog(aLogMessage({ service, data: 'x'.repeat(300 * 1024) }), DEADLINE)
        .catch((e: unknown) => e);

      expect(error).toMatchObject({ code: GrpcStatus.RESOURCE_EXHAUSTED });
      expect(await logger.service.store.query({ service, limit: 10 })).toEqual([]);
    });

    it('When the store refuses the entry, then INVALID_ARGUMENT with the store reason, never INTERNAL, and the store stays SERVING', async () => {
      const service = aServiceName();
      const bad = aLogMessage({ service, data: `refuse-me-${service}` });
      await refuseDataInStore(db.url, bad.data!);
      const others = Array.from({ length: 10 }, () => aLogMessage({ service }));

      const results = await Promise.allSettled(
        [bad, ...others].map((m) => logger.calls.writeLog(m, DEADLINE)),
      );

      expect(results[0]).toMatchObject({
        status: 'rejected',
        reason: {
          code: GrpcStatus.INVALID_ARGUMENT,
          details: expect.stringContaining(
            'the log store refused the entry: entry: PostgreSQL refused the entry (23514)',
          ),
        },
      });
      expect(results.slice(1).every((r) => r.status === 'fulfilled')).toBe(true);
      expect(await logger.service.store.query({ service, limit: 20 })).toHaveLength(10);
      expect(await checkHealth(logger.health, LOG_SERVICE_NAME, 5_000)).toBe('SERVING');
    });

    it('When 50 writes arrive at once, then all are stored', async () => {
      const service = aServiceName();
      const messages = Array.from({ length: 50 }, () => aLogMessage({ service }));

      const responses = await Promise.all(messages.map((m) => logger.calls.writeLog(m, DEADLINE)));

      expect(responses.every((r) => r.result === 'logged')).toBe(true);
      const rows = await logger.service.store.query({ service, limit: 100 });
      expect(rows.map((r) => r.event_id).sort()).toEqual(messages.map((m) => m.event_id).sort());
    });
  });

  describe('WriteLogs', () => {
    it('When a batch repeats an already stored event and one of its own, then written and duplicates count them', async () => {
      const service = aServiceName();
      const stored = aLogMessage({ service });
      await logger.calls.writeLogs([stored], DEADLINE);
      const fresh = [aLogMessage({ service }), aLogMessage({ service })];
      const url = logger.service.address.url;
      const before = [await entriesCounter(url, 'stored'), await entriesCounter(url, 'duplicate')];

      const result = await logger.calls.writeLogs([stored, ...fresh, fresh[0]!], DEADLINE);

      expect(result).toMatchObject({ written: 2, duplicates: 2, rejected: 0 });
      expect(result.results.map((r) => r.outcome)).toEqual([
        'duplicate',
        'written',
        'written',
        'duplicate',
      ]);
      const rows = await logger.service.store.query({ service, limit: 10 });
      expect(rows).toHaveLength(3);
      expect([await entriesCounter(url, 'stored'), await entriesCounter(url, 'duplicate')]).toEqual(
        [before[0]! + 2, before[1]! + 2],
      );
    });

    it('When one entry of a batch breaks the contract, then only it is rejected, naming the field, and the others are stored', async () => {
      const service = aServiceName();
      const good = aLogMessage({ service });
      const bad = aLogMessage({ service, data: 'a\u0000b' });

      const result = await logger.calls.writeLogs([bad, good], DEADLINE);

      expect(result).toMatchObject({ written: 1, duplicates: 0, rejected: 1 });
      expect(result.results).toEqual([
        {
          event_id: bad.event_id,
          outcome: 'rejected',
          reason: expect.stringMatching(/^data: .*NUL/),
        },
        { event_id: good.event_id, outcome: 'written', reason: '' },
      ]);
      const rows = await logger.service.store.query({ service, limit: 10 });
      expect(rows.map((r) => r.event_id)).toEqual([good.event_id]);
    });

    it('When the store refuses one entry of a batch, then only it is rejected with the store reason, and the store stays SERVING', async () => {
      const service = aServiceName();
      const messages = Array.from({ length: 20 }, () => aLogMessage({ service }));
      const bad = aLogMessage({ service, data: `refuse-me-${service}` });
      await refuseDataInStore(db.url, bad.data!);

      const result = await logger.calls.writeLogs([...messages, bad], DEADLINE);

      expect(result).toMatchObject({ written: 20, rejected: 1 });
      expect(result.results.at(-1)).toEqual({
        event_id: bad.event_id,
        outcome: 'rejected',
        reason: expect.stringContaining('23514'),
      });
      expect(await logger.service.store.query({ service, limit: 50 })).toHaveLength(20);
      expect(await checkHealth(logger.health, LOG_SERVICE_NAME, 5_000)).toBe('SERVING');
      expect(await entriesCounter(logger.service.address.url, 'rejected')).toBeGreaterThanOrEqual(
        1,
      );
    });

    it('When a batch is larger than LOG_MAX_BATCH, then it fails INVALID_ARGUMENT', async () => {
      const entries = Array.from({ length: 1001 }, () => ({ name: 'n', data: '' }));

      const error = await logger.calls.writeLogs(entries, DEADLINE).catch((e: unknown) => e);

      expect(error).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT });
    });
  });

  describe('QueryLogs', () => {
    it('When filtered by service and paged, then pages come newest first and the cursor ends empty', async () => {
      const service = aServiceName();
      const messages = [0, 1, 2].map((i) =>
        aLogMessage({ service, timestamp: new Date(anHourAgo + i * 60_000).toISOString() }),
      );
      await logger.calls.writeLogs(messages, DEADLINE);

      const first = await logger.calls.queryLogs({ service, limit: 2 }, DEADLINE);
      const second = await logger.calls.queryLogs(
        { service, limit: 2, cursor: first.next_cursor },
        DEADLINE,
      );

      expect(first.entries.map((e) => e.event_id)).toEqual([
        messages[2]!.event_id,
        messages[1]!.event_id,
      ]);
      expect(first.next_cursor).not.toBe('');
      expect(second.entries.map((e) => e.event_id)).toEqual([messages[0]!.event_id]);
      expect(second.next_cursor).toBe('');
      // JSONB may reorder metadata keys; the JSON value is what must survive.
      const { metadata, ...rest } = second.entries[0]!;
      expect(rest).toEqual({ ...messages[0], metadata: undefined, level: 'INFO' });
      expect(JSON.parse(metadata)).toEqual(JSON.parse(messages[0]!.metadata!));
    });

    it('When the cursor is not one the logger made, then it fails INVALID_ARGUMENT', async () => {
      const error = await logger.calls
        .queryLogs({ cursor: 'not-a-cursor' }, DEADLINE)
        .catch((e: unknown) => e);

      expect(error).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT });
    });
  });

  describe('grpc.health.v1', () => {
    it('When the store answers, then the server and logs.LogService are SERVING', async () => {
      expect(await checkHealth(logger.health, '', 5_000)).toBe('SERVING');
      expect(await checkHealth(logger.health, LOG_SERVICE_NAME, 5_000)).toBe('SERVING');
    });
  });

  describe('default message size limit', () => {
    it("When a batch bigger than gRPC's usual 4 MiB arrives, then the default limit takes it whole", async () => {
      const roomy = await startTestLogger(db.url);
      try {
        const service = aServiceName();
        const entries = Array.from({ length: 100 }, () =>
          aLogMessage({ service, data: 'large payload '.repeat(4_500) }),
        );

        const result = await roomy.calls.writeLogs(entries, { timeoutMs: 30_000 });

        expect(result).toMatchObject({ written: 100, duplicates: 0, rejected: 0 });
      } finally {
        await roomy.stop();
      }
    });
  });
});
