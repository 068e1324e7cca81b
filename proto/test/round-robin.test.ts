import type * as grpc from '@grpc/grpc-js';
import {
  addLogService,
  bindGrpcServer,
  createGrpcServer,
  createLogServiceClient,
  logServiceCalls,
  stopGrpcServer,
  type LogServiceClient,
} from '@micromesh/proto';

/** A LogService that only counts the WriteLog calls it answers. */
async function countingServer(): Promise<{
  server: grpc.Server;
  port: number;
  calls: () => number;
}> {
  let calls = 0;
  const server = createGrpcServer();
  addLogService(server, {
    WriteLog: (call, callback) => {
      calls += 1;
      callback(null, { result: 'logged', event_id: call.request.logEntry?.event_id ?? '' });
    },
    WriteLogs: (call, callback) =>
      callback(null, { written: call.request.entries.length, duplicates: 0 }),
    QueryLogs: (_call, callback) => callback(null, { entries: [] }),
  });
  const port = await bindGrpcServer(server, '127.0.0.1:0');
  return { server, port, calls: () => calls };
}

describe('LogService client load balancing', () => {
  const servers: Awaited<ReturnType<typeof countingServer>>[] = [];
  let client: LogServiceClient;

  beforeAll(async () => {
    servers.push(await countingServer(), await countingServer());
    // What a headless Service's DNS name resolves to: several logger addresses behind one target.
    const target = `ipv4:${servers.map((s) => `127.0.0.1:${s.port}`).join(',')}`;
    client = createLogServiceClient(target);
  });
  afterAll(async () => {
    client?.close();
    await Promise.all(servers.map((s) => stopGrpcServer(s.server, 1_000)));
  });

  test('When the target resolves to two loggers, then calls are spread over both (round robin), not all sent down the first connection', async () => {
    const calls = logServiceCalls(client);
    for (let i = 0; i < 40; i += 1) {
      await calls.writeLog(
        {
          event_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          service: 'test',
          level: 'INFO',
          name: `call ${i}`,
        },
        { timeoutMs: 5_000 },
      );
    }

    const [first, second] = servers.map((s) => s.calls());
    expect(first! + second!).toBe(40);
    expect(first).toBeGreaterThanOrEqual(10);
    expect(second).toBeGreaterThanOrEqual(10);
  });
});
