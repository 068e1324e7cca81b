import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { AppError, isAppError } from './app-error';
import { zodDetails } from './validation';
import { fail } from '../http/envelope';
import { sendJson } from '../http/send-json';

/** Errors from express's own helpers (e.g. serve-static's 404/416) carry an HTTP status. */
interface HttpStatusError {
  status?: number;
  statusCode?: number;
}

/** Maps anything thrown in a request to an AppError; unknown errors become an opaque 500. */
export function toAppError(err: unknown): AppError {
  if (isAppError(err)) return err;
  if (err instanceof z.ZodError) return AppError.badRequest('invalid request', zodDetails(err));
  const { status, statusCode } = (err ?? {}) as HttpStatusError;
  const code = status ?? statusCode;
  if (typeof code === 'number' && code >= 400 && code < 500) {
    return new AppError(code, 'bad request', { cause: err });
  }
  return new AppError(500, 'internal error', { cause: err });
}

/** The one express error handler: logs, answers the envelope, never leaks a stack. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const appError = toAppError(err);
    if (appError.status === 503 || appError.status === 504) {
      // A dependency that is down or slow is an expected state (and an open circuit answers many
      // requests a second): one warn line with the reason, no stack trace.
      const cause = appError.cause instanceof Error ? appError.cause.message : undefined;
      logger.warn({ status: appError.status, cause }, appError.message);
    } else if (appError.status >= 500) {
      logger.error({ err: appError.cause ?? appError, status: appError.status }, appError.message);
    } else {
      logger.debug({ status: appError.status, err: appError.cause }, appError.message);
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (appError.headers) res.set(appError.headers);
    sendJson(res, appError.status, fail(appError.message, appError.details));
  };
}

/** Unknown routes answer 404 in the envelope. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(AppError.notFound(`no route for ${req.method} ${req.path.slice(0, 200)}`));
};
