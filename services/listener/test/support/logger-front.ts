import * as grpc from '@grpc/grpc-js';
import {
  addLogService,
  bindGrpcServer,
  callUnary,
  createGrpcServer,
  createLogServiceClient,
  isGrpcError,
  stopGrpcServer,
  type Log__Output,
  type WriteLogsResponse__Output,
  type WriteLogsResult__Output,
} from '@micromesh/proto';

export interface LoggerFront {
  address: string;
  /**
   * From now on, an entry whose data is exactly `data` is rejected on its own, as the logger
   * rejects an entry its store refuses (a per-entry `rejected` result; the rest of the call is
   * stored).
   */
  refuseData(data: string): void;
  /** WriteLogs calls answered INTERNAL so far. */
  internalErrors(): number;
  close(): Promise<void>;
}

export interface LoggerFrontFaults {
  /** A WriteLogs call holding an entry of this name is answered INTERNAL (unclassifiable). */
  internalForName?: string;
}

/** The reason the front gives for a refused entry (the logger gives its store's words). */
export const FRONT_REFUSAL = 'test front: the store refuses this data';

/**
 * A real gRPC LogService in the test process, in front of the real logger: an outside party for
 * the listener that answers some WriteLogs calls or entries with the faults a test names and
 * passes everything else to the logger unchanged. A store that refuses an entry the contract
 * passes cannot be had through the logger's API (the contract and the stores agree), so the front
 * plays that refusal, exactly as the logger answers it; the logger's own tests cover its side.
 */
export async function startLoggerFront(
  loggerAddress: string,
  faults: LoggerFrontFaults = {},
): Promise<LoggerFront> {
  const upstream = createLogServiceClient(loggerAddress);
  const server = createGrpcServer();
  const refusedData = new Set<string>();
  let internalErrors = 0;
  const unimplemented = (_call: unknown, callback: grpc.sendUnaryData<never>) =>
    callback({ code: grpc.status.UNIMPLEMENTED, details: 'not in this test front' });
  const toGrpcError = (err: unknown): Partial<grpc.StatusObject> =>
    isGrpcError(err)
      ? { code: err.code, details: err.details }
      : { code: grpc.status.UNKNOWN, details: String(err) };

  addLogService(server, {
    WriteLog: unimplemented,
    QueryLogs: unimplemented,
    WriteLogs: (call, callback) => {
      const { entries } = call.request;
      if (entries.some((entry) => entry.name === faults.internalForName)) {
        internalErrors += 1;
        callback({ code: grpc.status.INTERNAL, details: 'test front: cannot store this entry' });
        return;
      }
      const passed = entries.filter((entry) => !refusedData.has(entry.data));
      const none: WriteLogsResponse__Output = {
        written: 0,
        duplicates: 0,
        rejected: 0,
        results: [],
      };
      const stored =
        passed.length === 0
          ? Promise.resolve(none)
          : callUnary<WriteLogsResponse__Output>(
              (metadata, options, cb) =>
                upstream.WriteLogs({ entries: passed }, metadata, options, cb),
              { timeoutMs: 5_000 },
            );
      stored
        .then((response) => withRefusals(entries, response, refusedData))
        .then(
          (response) => callback(null, response),
          (err: unknown) => callback(toGrpcError(err)),
        );
    },
  });
  const port = await bindGrpcServer(server, '127.0.0.1:0');
  return {
    address: `127.0.0.1:${port}`,
    refuseData: (data) => refusedData.add(data),
    internalErrors: () => internalErrors,
    async close() {
      await stopGrpcServer(server, 1_000);
      upstream.close();
    },
  };
}

/** The logger's answer for the passed entries → one result per entry, refused ones in place. */
function withRefusals(
  entries: readonly Log__Output[],
  response: WriteLogsResponse__Output,
  refusedData: ReadonlySet<string>,
): WriteLogsResponse__Output {
  const passedResults = response.results.values();
  const results = entries.map((entry): WriteLogsResult__Output => {
    if (refusedData.has(entry.data)) {
      return { event_id: entry.event_id, outcome: 'rejected', reason: FRONT_REFUSAL };
    }
    const result = passedResults.next();
    if (result.done) throw new Error('the logger answered fewer results than entries');
    return result.value;
  });
  return {
    ...response,
    rejected: results.filter((result) => result.outcome === 'rejected').length,
    results,
  };
}
