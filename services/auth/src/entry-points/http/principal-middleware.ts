import type { RequestHandler, Response } from 'express';
import type { Authenticator } from '../../domain/authenticator';
import type { Principal } from '../../domain/principal';

/** Resolves the caller from its headers; 401 when it cannot. */
export function requirePrincipal(authenticator: Authenticator): RequestHandler {
  return async (req, res, next) => {
    const apiKey = req.get('x-api-key');
    res.locals.principal = await authenticator.authenticate({
      authorization: req.get('authorization'),
      apiKey,
    });
    next();
  };
}

export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}
