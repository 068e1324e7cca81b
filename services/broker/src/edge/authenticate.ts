import { AppError } from '@micromesh/kit';
import type { Request, RequestHandler, Response } from 'express';
import type { Principal, Role } from '../domain/principal';
import type { ApiKeyVerifier } from './api-key-verifier';
import type { RateLimit } from './rate-limits';
import type { TokenVerifier } from './token-verifier';

export interface EdgeAuth {
  tokens: TokenVerifier;
  apiKeys: ApiKeyVerifier;
}

const BEARER = /^Bearer ([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]*\.[A-Za-z0-9\-_]*)$/;

/** Establishes the caller from `Authorization: Bearer <jwt>` or `X-API-Key`; 401 without either. */
export async function authenticate(edge: EdgeAuth, req: Request): Promise<Principal> {
  const authorization = req.get('authorization');
  if (authorization !== undefined) {
    const match = BEARER.exec(authorization.trim());
    if (!match?.[1]) throw AppError.unauthorized('invalid authorization header');
    return edge.tokens.verify(match[1]);
  }
  const apiKey = req.get('x-api-key');
  if (apiKey !== undefined) {
    if (apiKey.length === 0 || apiKey.length > 512) throw AppError.unauthorized('invalid API key');
    return edge.apiKeys.verify(apiKey);
  }
  throw AppError.unauthorized('authentication required');
}

/**
 * `authenticate`, then the per-client limit: by key or user once known; a caller who could not be
 * authenticated is limited by IP, so a flood of bad tokens is refused before each costs a
 * signature check.
 */
export async function authenticateAndLimit(
  edge: EdgeAuth,
  limit: RateLimit,
  req: Request,
  res: Response,
): Promise<Principal> {
  let principal: Principal;
  try {
    principal = await authenticate(edge, req);
  } catch (err) {
    if (err instanceof AppError && err.status === 401) {
      await limit.consume(`ip:${req.ip ?? 'unknown'}`, res);
    }
    throw err;
  }
  await limit.consume(principal.clientKey, res);
  return principal;
}

export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new Error('route reached without the authentication middleware');
  return principal;
}

/** Middleware form of `authenticateAndLimit`, keeping the principal in res.locals. */
export function requireAuth(edge: EdgeAuth, limit: RateLimit): RequestHandler {
  return (req, res, next) => {
    authenticateAndLimit(edge, limit, req, res).then((principal) => {
      res.locals.principal = principal;
      next();
    }, next);
  };
}

/** 403 unless the authenticated caller has the role. */
export function requireRole(role: Role): RequestHandler {
  return (_req, res, next) => {
    next(
      principalOf(res).role === role ? undefined : AppError.forbidden(`requires the ${role} role`),
    );
  };
}
