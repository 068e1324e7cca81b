import type * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import {
  acceptRequestId,
  REQUEST_ID_HEADER,
  runWithRequestContext,
  type Logger,
} from '@micromesh/kit';
import { allowPeers, toLogMessage, type LogServiceHandlers } from '@micromesh/proto';
import { LOG_READERS, LOG_WRITERS } from '../callers';
import type { LogService } from '../../domain/log-service';
import { toGrpcError } from './grpc-errors';
import { fromLogMessage } from './log-messages';

/**
 * Wraps a promise-returning handler body: the result or a mapped gRPC error goes to the callback,
 * inside a request context carrying the caller's `x-request-id` (so every log line has it).
 */
function unary<Req, Res>(
  logger: Logger,
  body: (request: Req) => Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const requestId = acceptRequestId(call.metadata.get(REQUEST_ID_HEADER)[0]) ?? randomUUID();
    runWithRequestContext({ requestId }, () => {
      body(call.request).then(
        (response) => callback(null, response),
        (error: unknown) => callback(toGrpcError(error, logger)),
      );
    });
  };
}

/**
 * Thin translation between the generated message types and the LogService use cases; each method
 * admits only its callers (see ../callers.ts) when the server runs mutual TLS.
 */
export function logServiceHandlers(service: LogService, logger: Logger): LogServiceHandlers {
  return {
    WriteLog: allowPeers(
      LOG_WRITERS,
      unary(logger, async (request) => {
        const result = await service.writeOne(fromLogMessage(request.logEntry));
        return { result: result.duplicate ? 'duplicate' : 'logged', event_id: result.event_id };
      }),
    ),
    WriteLogs: allowPeers(
      LOG_WRITERS,
      unary(logger, async (request) => {
        const batch = await service.writeMany(
          request.entries.map((e, i) => fromLogMessage(e, `entries.${i}`)),
        );
        return {
          ...batch,
          results: batch.results.map((r) => ({
            event_id: r.event_id,
            outcome: r.outcome,
            reason: r.outcome === 'rejected' ? r.reason : '',
          })),
        };
      }),
    ),
    QueryLogs: allowPeers(
      LOG_READERS,
      unary(logger, async (request) => {
        const input: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(request)) {
          if (value !== '' && value !== 0) input[key] = value;
        }
        const page = await service.query(input);
        return { entries: page.entries.map(toLogMessage), next_cursor: page.next_cursor ?? '' };
      }),
    ),
  };
}
