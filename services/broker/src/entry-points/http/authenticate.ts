import { AppError, clientAddressKey } from '@micromesh/kit';
import type { Request, RequestHandler, Response } from 'express';
import type { ApiKeyVerification, TokenVerification } from '../../domain/ports';
import type { Principal } from '../../domain/principal';
import type { RevocationList } from '../../domain/revocation-list';
import type { RateLimit } from './rate-limits';

export interface EdgeAuth {
  tokens: TokenVerification;
  apiKeys: ApiKeyVerification;
  revocations: RevocationList;
}

const revoked = () =>
  new AppError(401, 'token has been revoked', {
    headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
  });

/** A verified token is still refused when auth has revoked it (or we cannot know yet). */
function checkNotRevoked(edge: EdgeAuth, principal: Principal): Principal {
  if (principal.version === undefined) return principal;
  if (!edge.revocations.ready) {
    throw AppError.unavailable('revocation list not loaded yet; try again shortly');
  }
  if (edge.revocations.isRevoked(principal.subject, principal.version)) throw revoked();
  return principal;
}

const BEARER = /^Bearer ([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]*\.[A-Za-z0-9\-_]*)$/;

/** Establishes the caller from `Authorization: Bearer <jwt>` or `X-API-Key`; 401 without either. */
export async function authenticate(edge: EdgeAuth, req: Request): Promise<Principal> {
  const authorization = req.get('authorization');
  if (authorization !== undefined) {
    const match = BEARER.exec(authorization.trim());
    if (!match?.[1]) throw AppError.unauthorized('invalid authorization header');
    return checkNotRevoked(edge, await edge.tokens.verify(match[1]));
  }
  const apiKey = req.get('x-api-key');
  if (apiKey !== undefined) {
    if (apiKey.length === 0 || apiKey.length > 512) throw AppError.unauthorized('invalid API key');
    const principal = await edge.apiKeys.verify(apiKey);
    // Auth's answer may predate the revocation (cached, or in flight when the notice came).
    if (principal.keyId !== undefined && edge.revocations.isKeyRevoked(principal.keyId)) {
      throw AppError.unauthorized('invalid API key');
    }
    return principal;
  }
  throw AppError.unauthorized('authentication required');
}

/**
 * `authenticate`, then the per-client limit: by the owning user once known (a user's sessions and
 * API keys share one budget, so minting keys does not multiply it); a caller who could not be
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
      await limit.consume(`ip:${clientAddressKey(req.ip)}`, res);
    }
    throw err;
  }
  await limit.consume(principal.owner, res);
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
