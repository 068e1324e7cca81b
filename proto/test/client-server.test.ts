import type * as grpc from '@grpc/grpc-js';
import {
  addLogService,
  bindGrpcServer,
  callUnary,
  checkHealth,
  createGrpcHealth,
  createGrpcServer,
  createHealthClient,
  createLogServiceClient,
  GrpcStatus,
  isGrpcError,
  LOG_SERVICE_NAME,
  logServiceCalls,
  stopGrpcServer,
  type GrpcHealth,
  type Log__Output,
  type LogServiceClient,
} from '@micromesh/proto';

const MAX_BYTES = 64 * 1024;

/** A tiny in-memory LogService: only enough to prove the helpers wire things up. */
function startEchoServer(received: Log__Output[]) {
  const server = createGrpcServer({ maxReceiveMessageBytes: MAX_BYTES });
  addLogService(server, {
    WriteLog: (call, callback) => {
      received.push(call.request.logEntry as Log__Output);
      callback(null, { result: 'logged', event_id: call.request.logEntry?.event_id ?? '' });
    },
    WriteLogs: (call, callback) => {
      received.push(...call.request.entries);
      callback(null, { written: call.request.entries.length, duplicates: 0 });
    },
    QueryLogs: (call, callback) => {
      callback(null, { entries: received.filter((l) => l.service === call.request.service) });
    },
  });
  return server;
}

describe('typed gRPC helpers', () => {
  const received: Log__Output[] = [];
  let server: grpc.Server;
  let health: GrpcHealth;
  let address: string;
  let client: LogServiceClient;

  beforeAll(async () => {
    server = startEchoServer(received);
    health = createGrpcHealth();
    health.addToServer(server);
    const port = await bindGrpcServer(server, '127.0.0.1:0');
    address = `127.0.0.1:${port}`;
    client = createLogServiceClient(address, { keepaliveTimeMs: 10_000 });
  });
  afterAll(async () => {
    client.close();
    await stopGrpcServer(server, 1_000);
  });
  beforeEach(() => {
    received.length = 0;
  });

  describe('WriteLog', () => {
    it('When a reference client sends only name and data, then the server gets them with empty extensions', async () => {
      const response = await logServiceCalls(client).writeLog(
        { name: 'ref', data: 'hello' },
        { timeoutMs: 5_000 },
      );

      expect(response.result).toBe('logged');
      expect(received).toEqual([
        {
          name: 'ref',
          data: 'hello',
          level: '',
          service: '',
          event_id: '',
          trace_id: '',
          span_id: '',
          metadata: '',
          timestamp: '',
        },
      ]);
    });

    it('When a request exceeds the server receive limit, then it fails with RESOURCE_EXHAUSTED', async () => {
      const huge = 'x'.repeat(MAX_BYTES + 1);

      const failure = callUnary(
        (md, opts, cb) => client.WriteLog({ logEntry: { name: 'big', data: huge } }, md, opts, cb),
        { timeoutMs: 5_000 },
      );

      await expect(failure).rejects.toMatchObject({ code: GrpcStatus.RESOURCE_EXHAUSTED });
      expect(received).toHaveLength(0);
    });
  });

  describe('WriteLogs and QueryLogs', () => {
    it('When a batch is written, then every extended field arrives and can be queried back', async () => {
      const entry = {
        name: 'login',
        data: 'user logged in',
        level: 'INFO',
        service: 'auth',
        event_id: '5f0c4a52-8a8e-4b53-9f8c-1b8a3f0e2d11',
        trace_id: '0af7651916cd43dd8448eb211c80319c',
        span_id: 'b7ad6b7169203331',
        metadata: '{"attempt":2}',
        timestamp: '2026-11-22T03:40:17.123Z',
      };

      const calls = logServiceCalls(client);

      const written = await calls.writeLogs([entry], {
        timeoutMs: 5_000,
        metadata: { 'x-request-id': 'req-1' },
      });
      const page = await calls.queryLogs({ service: 'auth' }, { timeoutMs: 5_000 });

      expect(written).toMatchObject({ written: 1, duplicates: 0 });
      expect(page.entries).toEqual([entry]);
    });
  });

  describe('grpc.health.v1', () => {
    it('When the owner flips serving on and off, then Check reports it for the server and LogService', async () => {
      const healthClient = createHealthClient(address);
      try {
        const initially = await checkHealth(healthClient, LOG_SERVICE_NAME, 5_000);
        health.setServing(true);
        const serving = [
          await checkHealth(healthClient, '', 5_000),
          await checkHealth(healthClient, LOG_SERVICE_NAME, 5_000),
        ];
        health.setServing(false);
        const afterwards = await checkHealth(healthClient, '', 5_000);

        expect(initially).toBe('NOT_SERVING');
        expect(serving).toEqual(['SERVING', 'SERVING']);
        expect(afterwards).toBe('NOT_SERVING');
      } finally {
        healthClient.close();
      }
    });
  });

  describe('callUnary', () => {
    it('When nothing listens at the address, then the call fails UNAVAILABLE within its deadline', async () => {
      const orphan = createLogServiceClient('127.0.0.1:1');
      try {
        const error = await callUnary(
          (md, opts, cb) => orphan.WriteLog({ logEntry: { name: 'n', data: 'd' } }, md, opts, cb),
          { timeoutMs: 3_000 },
        ).catch((e: unknown) => e);

        // UNAVAILABLE, not DEADLINE_EXCEEDED: the failure came before the deadline.
        expect(isGrpcError(error) && error.code).toBe(GrpcStatus.UNAVAILABLE);
      } finally {
        orphan.close();
      }
    });
  });
});
