import * as grpc from '@grpc/grpc-js';
import {
  addLogService,
  bindGrpcServer,
  callUnary,
  createGrpcServer,
  createLogServiceClient,
  isGrpcError,
  stopGrpcServer,
  type WriteLogsResponse__Output,
} from '@micromesh/proto';

export interface FaultyLoggerFront {
  address: string;
  /** WriteLogs calls answered INTERNAL so far. */
  internalErrors(): number;
  close(): Promise<void>;
}

/**
 * A real gRPC LogService in the test process, in front of the real logger: a WriteLogs batch that
 * holds an entry named `poisonName` is answered INTERNAL (an error the listener cannot classify),
 * every other call is passed on to the logger unchanged. An outside party for the listener.
 */
export async function startFaultyLoggerFront(
  loggerAddress: string,
  poisonName: string,
): Promise<FaultyLoggerFront> {
  const upstream = createLogServiceClient(loggerAddress);
  const server = createGrpcServer();
  let internalErrors = 0;
  const unimplemented = (_call: unknown, callback: grpc.sendUnaryData<never>) =>
    callback({ code: grpc.status.UNIMPLEMENTED, details: 'not in this test front' });
  addLogService(server, {
    WriteLog: unimplemented,
    QueryLogs: unimplemented,
    WriteLogs: (call, callback) => {
      if (call.request.entries.some((entry) => entry.name === poisonName)) {
        internalErrors += 1;
        callback({ code: grpc.status.INTERNAL, details: 'test front: cannot store this entry' });
        return;
      }
      callUnary<WriteLogsResponse__Output>(
        (metadata, options, cb) => upstream.WriteLogs(call.request, metadata, options, cb),
        { timeoutMs: 5_000 },
      ).then(
        (response) => callback(null, response),
        (err: unknown) =>
          callback(
            isGrpcError(err)
              ? { code: err.code, details: err.details }
              : { code: grpc.status.UNKNOWN, details: String(err) },
          ),
      );
    },
  });
  const port = await bindGrpcServer(server, '127.0.0.1:0');
  return {
    address: `127.0.0.1:${port}`,
    internalErrors: () => internalErrors,
    async close() {
      await stopGrpcServer(server, 1_000);
      upstream.close();
    },
  };
}
