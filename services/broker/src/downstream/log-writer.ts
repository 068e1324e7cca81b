import { AppError, propagationHeaders } from '@micromesh/kit';
import { GrpcStatus, isGrpcError, type LogServiceCalls } from '@micromesh/proto';
import type { LogRecord } from '../domain/ports';
import { CoalescingBatcher } from './coalescing-batcher';
import type { Downstream } from './downstream';

export interface LogWriterOptions {
  calls: LogServiceCalls;
  downstream: Downstream;
  timeoutMs: number;
  maxBatch: number;
  /** WriteLogs calls in flight at once; later writes wait and leave together. */
  maxConcurrent: number;
  /** Told the size of every batch sent. */
  onBatch?: (size: number) => void;
}

/**
 * The `log` action's path to the logger: concurrent writes are coalesced into one gRPC WriteLogs
 * call (the gateway's CPU per request is the bound at load, and one call per request would spend
 * it on gRPC framing). Entries carry their event_id, so a retried batch is stored once.
 */
export class LogWriter {
  private readonly batcher: CoalescingBatcher<LogRecord, void>;

  constructor(private readonly options: LogWriterOptions) {
    this.batcher = new CoalescingBatcher({
      send: (records) => this.send(records),
      maxBatch: options.maxBatch,
      maxConcurrent: options.maxConcurrent,
      // The logger refused the batch as invalid: find out which caller's entry it was.
      splitWhen: (err) => err instanceof AppError && err.status === 400,
    });
  }

  write(record: LogRecord): Promise<void> {
    return this.batcher.submit(record);
  }

  private async send(records: LogRecord[]): Promise<void[]> {
    const { calls, downstream, timeoutMs } = this.options;
    this.options.onBatch?.(records.length);
    await downstream.call(
      async () => {
        try {
          return await calls.writeLogs(records, { timeoutMs, metadata: requestIdOf(records) });
        } catch (err) {
          if (isGrpcError(err) && err.code === GrpcStatus.INVALID_ARGUMENT) {
            throw AppError.badRequest(`logger refused the entry: ${err.details}`);
          }
          throw err;
        }
      },
      { timeoutMs, retryWhen: isUnavailable },
    );
    return records.map(() => undefined);
  }
}

/** UNAVAILABLE means the call never reached the service, so it is safe to send again. */
function isUnavailable(err: Error): boolean {
  return isGrpcError(err) && err.code === GrpcStatus.UNAVAILABLE;
}

/**
 * The flush runs in the request context of the batch's first caller, so its request id would be
 * wrong for everyone else in a batch: only a batch of one carries it.
 */
function requestIdOf(records: LogRecord[]): Record<string, string> {
  return records.length === 1 ? propagationHeaders() : {};
}
