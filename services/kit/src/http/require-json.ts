import type { RequestHandler } from 'express';
import { AppError } from '../errors/app-error';

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** A request that carries a body must say it is JSON; anything else is 415, not a guess. */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  if (hasBody(req.headers) && !req.is('application/json')) {
    next(new AppError(415, 'content-type must be application/json'));
    return;
  }
  next();
};
