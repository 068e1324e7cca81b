import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import {
  acceptRequestId,
  REQUEST_ID_HEADER,
  runWithRequestContext,
} from '../logging/request-context';

/** Reuses the caller's x-request-id when it is plain, else makes one; echoes it back. */
export function resolveRequestId(req: IncomingMessage, res: ServerResponse): string {
  const id = acceptRequestId(req.headers[REQUEST_ID_HEADER]) ?? randomUUID();
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/** Everything downstream of this middleware (handlers, logs, outgoing calls) sees the id. */
export const requestContextMiddleware: RequestHandler = (req, _res, next) => {
  runWithRequestContext({ requestId: String(req.id) }, next);
};
