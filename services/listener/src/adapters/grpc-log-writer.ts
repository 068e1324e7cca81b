import { connectivityState } from '@grpc/grpc-js';
import {
  callUnary,
  createLogServiceClient,
  grpcChannelCredentials,
  GrpcStatus,
  isGrpcError,
  toLogMessage,
  type GrpcTlsFiles,
  type WriteLogsResponse__Output,
} from '@micromesh/proto';
import type { LogEvent } from '@micromesh/contracts';
import type { FailureKind, LogWriter } from '../domain/ports';

/**
 * Size the batches are cut at, in bytes of their WriteLogs request. The logger's receive limit is
 * its GRPC_MAX_MESSAGE_BYTES, 64 MiB by default (@micromesh/proto DEFAULT_MAX_MESSAGE_BYTES); 3 MiB
 * stays under it even when an operator lowers it to gRPC's usual 4 MiB. Lower still, the logger
 * answers RESOURCE_EXHAUSTED "larger than max", and the batch is halved (see classifyFailure)
 * until its parts fit: never held for good.
 */
export const MAX_REQUEST_BYTES = 3 * 1024 * 1024;

/**
 * The logger as the listener's store, over its gRPC WriteLogs (idempotent by event_id). With TLS
 * files, the channel presents the listener's certificate (mutual TLS). `reachable()` is false
 * while the channel is in TRANSIENT_FAILURE.
 */
export function createGrpcLogWriter(
  address: string,
  deadlineMs: number,
  tls?: GrpcTlsFiles,
): LogWriter {
  const client = createLogServiceClient(address, { credentials: grpcChannelCredentials(tls) });
  return {
    async write(events) {
      const entries = events.map(toLogMessage);
      const response = await callUnary<WriteLogsResponse__Output>(
        (metadata, options, callback) => client.WriteLogs({ entries }, metadata, options, callback),
        { timeoutMs: deadlineMs },
      );
      return {
        written: response.written,
        duplicates: response.duplicates,
        refused: refusedEntries(response),
      };
    },
    classify: classifyFailure,
    describe: describeFailure,
    requestBytes,
    reachable() {
      return (
        client.getChannel().getConnectivityState(false) !== connectivityState.TRANSIENT_FAILURE
      );
    },
    close() {
      client.close();
    },
  };
}

/** Field tags and lengths of one `Log` in a WriteLogs request, generously. */
const ENTRY_OVERHEAD_BYTES = 64;

/** The bytes one event adds to a WriteLogs request: its strings as protobuf carries them. */
function requestBytes(event: LogEvent): number {
  const entry = toLogMessage(event);
  let bytes = ENTRY_OVERHEAD_BYTES;
  for (const value of Object.values(entry)) {
    if (typeof value === 'string') bytes += Buffer.byteLength(value);
  }
  return bytes;
}

/** The logger's refusal of one entry of a WriteLogs call (the rest of the call was stored). */
class EntryRefused extends Error {
  override readonly name = 'EntryRefused';
}

/** Index in the call → refusal, from WriteLogs' per-entry results (in request order). */
function refusedEntries(response: WriteLogsResponse__Output): Map<number, EntryRefused> {
  const refused = new Map<number, EntryRefused>();
  for (const [index, result] of response.results.entries()) {
    if (result.outcome === 'rejected') {
      refused.set(index, new EntryRefused(result.reason || 'refused without a reason'));
    }
  }
  return refused;
}

/** Codes that name the data, not the logger's health: retrying the same entries cannot help. */
const REFUSALS: ReadonlySet<number> = new Set([
  GrpcStatus.INVALID_ARGUMENT,
  GrpcStatus.OUT_OF_RANGE,
]);

/**
 * Codes that say the logger as a whole cannot store anything now (down, slow, overloaded,
 * shutting down, or the channel itself misconfigured): no entry is to blame, so the batch is held.
 */
const TRANSIENT: ReadonlySet<number> = new Set([
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.RESOURCE_EXHAUSTED,
  GrpcStatus.ABORTED,
  GrpcStatus.CANCELLED,
  GrpcStatus.UNAUTHENTICATED,
  GrpcStatus.PERMISSION_DENIED,
  GrpcStatus.UNIMPLEMENTED,
]);

/**
 * A request over a gRPC size limit, the logger's receive limit or this client's send limit (grpc-js
 * words both "… message larger than max (N vs. M)"): a fact about this batch, not the logger's
 * health, so it is split, not held (holding it would block the pipeline for good).
 */
function tooLarge(error: unknown): boolean {
  return (
    isGrpcError(error) &&
    error.code === GrpcStatus.RESOURCE_EXHAUSTED &&
    /larger than max/i.test(`${error.details} ${error.message}`)
  );
}

/**
 * A failed WriteLogs call → what to do with its batch: 'reject' (the entries were refused: split
 * and dead-letter them), 'retry' (the logger is unavailable: hold and back off), 'unknown'
 * (INTERNAL, UNKNOWN, a request too large for a gRPC limit, anything unexpected: split, then a
 * bounded number of attempts per entry).
 */
function classifyFailure(error: unknown): FailureKind {
  if (!isGrpcError(error)) return 'unknown';
  if (tooLarge(error)) return 'unknown';
  if (REFUSALS.has(error.code)) return 'reject';
  if (TRANSIENT.has(error.code)) return 'retry';
  return 'unknown';
}

/** The refusing party's own words, for the dead letter's header and the log. */
function describeFailure(error: unknown): string {
  if (error instanceof EntryRefused) return `logger: rejected: ${error.message}`;
  if (isGrpcError(error)) {
    const code = GrpcStatus[error.code] ?? String(error.code);
    return `logger: ${code}: ${error.details || error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}
