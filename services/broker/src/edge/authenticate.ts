import { AppError } from '@micromesh/kit';
import type { Request, RequestHandler, Response } from 'express';
import type { Principal, Role } from '../domain/principal';
import type { ApiKeyVerifier } from './api-key-verifier';
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

export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new Error('route reached without the authentication middleware');
  return principal;
}

/** Middleware form of `authenticate`, keeping the principal in res.locals. */
export function requireAuth(edge: EdgeAuth): RequestHandler {
  return (req, res, next) => {
    authenticate(edge, req).then((principal) => {
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
