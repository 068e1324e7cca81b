import { callUnary, type UnaryCallOptions } from './call-unary';
import type { Log } from './generated/logs/Log';
import type { LogResponse__Output } from './generated/logs/LogResponse';
import type { LogServiceClient } from './generated/logs/LogService';
import type { QueryLogsRequest } from './generated/logs/QueryLogsRequest';
import type { QueryLogsResponse__Output } from './generated/logs/QueryLogsResponse';
import type { WriteLogsResponse__Output } from './generated/logs/WriteLogsResponse';

/** Promise-returning LogService calls over one shared client; each call takes its own deadline. */
export interface LogServiceCalls {
  writeLog(logEntry: Log, options: UnaryCallOptions): Promise<LogResponse__Output>;
  writeLogs(entries: Log[], options: UnaryCallOptions): Promise<WriteLogsResponse__Output>;
  queryLogs(
    request: QueryLogsRequest,
    options: UnaryCallOptions,
  ): Promise<QueryLogsResponse__Output>;
}

export function logServiceCalls(client: LogServiceClient): LogServiceCalls {
  return {
    writeLog: (logEntry, options) =>
      callUnary<LogResponse__Output>(
        (md, opts, cb) => client.WriteLog({ logEntry }, md, opts, cb),
        options,
      ),
    writeLogs: (entries, options) =>
      callUnary<WriteLogsResponse__Output>(
        (md, opts, cb) => client.WriteLogs({ entries }, md, opts, cb),
        options,
      ),
    queryLogs: (request, options) =>
      callUnary<QueryLogsResponse__Output>(
        (md, opts, cb) => client.QueryLogs(request, md, opts, cb),
        options,
      ),
  };
}
