import type * as grpc from '@grpc/grpc-js';
import { isAppError, type Logger } from '@micromesh/kit';
import { GrpcStatus } from '@micromesh/proto';

const STATUS_BY_HTTP: Record<number, grpc.status> = {
  400: GrpcStatus.INVALID_ARGUMENT,
  404: GrpcStatus.NOT_FOUND,
  413: GrpcStatus.RESOURCE_EXHAUSTED,
  503: GrpcStatus.UNAVAILABLE,
};

/**
 * AppError → gRPC status: 400 INVALID_ARGUMENT (details joined into the message), 503 UNAVAILABLE
 * (the caller may retry; writes are idempotent by event_id); anything unexpected INTERNAL with an
 * opaque message (the cause goes to the logs only).
 */
export function toGrpcError(error: unknown, logger: Logger): Partial<grpc.StatusObject> {
  if (isAppError(error) && STATUS_BY_HTTP[error.status] !== undefined) {
    const details = error.details?.map((d) => `${d.path}: ${d.message}`).join('; ');
    if (error.status >= 500) logger.warn({ err: error.cause ?? error }, error.message);
    return {
      code: STATUS_BY_HTTP[error.status],
      details: details ? `${error.message}: ${details}` : error.message,
    };
  }
  logger.error({ err: error }, 'gRPC handler failed');
  return { code: GrpcStatus.INTERNAL, details: 'internal error' };
}
