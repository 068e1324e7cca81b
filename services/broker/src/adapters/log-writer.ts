import { AppError, CoalescingBatcher, propagationHeaders } from '@micromesh/kit';
import {
  GrpcStatus,
  isGrpcError,
  toLogMessage,
  type LogServiceCalls,
  type WriteLogsResponse__Output,
} from '@micromesh/proto';
import type { LogWrite } from '../domain/ports';
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

/** One caller's share of a WriteLogs answer: stored (or already stored), or refused with why. */
type EntryAnswer = { refused: false } | { refused: true; reason: string };

/**
 * The `log` action's path to the logger: concurrent writes are coalesced into one gRPC WriteLogs
 * call (the gateway's CPU per request is the bound at load, and one call per request would spend
 * it on gRPC framing). Entries carry their event_id, so a retried batch is stored once. The logger
 * answers per entry, so an entry it refuses is a 400 for that caller only: the batch's other
 * entries are stored, and the call is a success for the circuit breaker.
 */
export class LogWriter {
  private readonly batcher: CoalescingBatcher<LogWrite, EntryAnswer>;

  constructor(private readonly options: LogWriterOptions) {
    this.batcher = new CoalescingBatcher({
      send: (entries) => this.send(entries),
      maxBatch: options.maxBatch,
      maxConcurrent: options.maxConcurrent,
      // A logger without per-entry results refuses the whole batch for one entry: find whose.
      splitWhen: (err) => err instanceof AppError && err.status === 400,
    });
  }

  async write(entry: LogWrite): Promise<void> {
    const answer = await this.batcher.submit(entry);
    if (answer.refused) {
      throw AppError.badRequest('the logger refused the entry', [
        { path: 'log', message: answer.reason },
      ]);
    }
  }

  private async send(entries: LogWrite[]): Promise<EntryAnswer[]> {
    const { calls, downstream, timeoutMs } = this.options;
    this.options.onBatch?.(entries.length);
    const response = await downstream.call(
      async () => {
        try {
          return await calls.writeLogs(entries.map(toLogMessage), {
            timeoutMs,
            metadata: requestIdOf(entries),
          });
        } catch (err) {
          if (isGrpcError(err) && err.code === GrpcStatus.INVALID_ARGUMENT) {
            throw AppError.badRequest('the logger refused the entry', [
              { path: 'log', message: err.details },
            ]);
          }
          throw err;
        }
      },
      { timeoutMs, retryWhen: isUnavailable },
    );
    return entries.map((_, i) => answerAt(response, i));
  }
}

function answerAt(response: WriteLogsResponse__Output, index: number): EntryAnswer {
  // A logger from before per-entry results answers none: the call succeeding means all stored.
  const result = response.results?.[index];
  return result?.outcome === 'rejected'
    ? { refused: true, reason: result.reason || 'refused' }
    : { refused: false };
}

/** UNAVAILABLE means the call never reached the service, so it is safe to send again. */
function isUnavailable(err: Error): boolean {
  return isGrpcError(err) && err.code === GrpcStatus.UNAVAILABLE;
}

/**
 * The flush runs in the request context of the batch's first caller, so its request id would be
 * wrong for everyone else in a batch: only a batch of one carries it.
 */
function requestIdOf(entries: LogWrite[]): Record<string, string> {
  return entries.length === 1 ? propagationHeaders() : {};
}
