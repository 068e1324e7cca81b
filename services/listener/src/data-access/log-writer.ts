import { connectivityState } from '@grpc/grpc-js';
import type { LogEvent } from '@micromesh/contracts';
import {
  callUnary,
  createLogServiceClient,
  encodeMetadata,
  GrpcStatus,
  isGrpcError,
  type Log,
  type WriteLogsResponse__Output,
} from '@micromesh/proto';

export interface WriteResult {
  written: number;
  duplicates: number;
}

/** The logger as a store of events, over its gRPC WriteLogs (idempotent by event_id). */
export interface LogWriter {
  write(events: readonly LogEvent[]): Promise<WriteResult>;
  /** False while the gRPC channel is in TRANSIENT_FAILURE (the logger cannot be reached). */
  reachable(): boolean;
  close(): void;
}

/** gRPC message size the batches must stay under (the logger's receive limit is gRPC's 4 MiB). */
export const MAX_REQUEST_BYTES = 3 * 1024 * 1024;

export function createLogWriter(address: string, deadlineMs: number): LogWriter {
  const client = createLogServiceClient(address);
  return {
    async write(events) {
      const entries = events.map(toLog);
      const response = await callUnary<WriteLogsResponse__Output>(
        (metadata, options, callback) => client.WriteLogs({ entries }, metadata, options, callback),
        { timeoutMs: deadlineMs },
      );
      return { written: response.written, duplicates: response.duplicates };
    },
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

/**
 * Refusals that name the data, not the logger's health: retrying the same batch cannot help, so
 * the batch is split to find the refused events. Everything else (UNAVAILABLE, DEADLINE_EXCEEDED,
 * INTERNAL, …) is transient.
 */
export function isDataRefusal(error: unknown): boolean {
  return (
    isGrpcError(error) &&
    (error.code === GrpcStatus.INVALID_ARGUMENT || error.code === GrpcStatus.OUT_OF_RANGE)
  );
}

function toLog(event: LogEvent): Log {
  return {
    name: event.name,
    data: event.data,
    level: event.level,
    service: event.service,
    event_id: event.event_id,
    trace_id: event.trace_id ?? '',
    span_id: event.span_id ?? '',
    metadata: encodeMetadata(event.metadata),
    timestamp: event.timestamp,
  };
}
