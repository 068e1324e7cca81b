import { AppError } from '@micromesh/kit';
import type { RequestHandler } from 'express';
import { checkAccess, findRule } from '../../domain/access-rules';
import { principalOf } from './authenticate';

/**
 * For a proxied prefix: the request must match a row of the access table (404 otherwise, 405 for
 * another method) and the caller must satisfy it. Mounted after `requireAuth`.
 */
export function guardByTable(): RequestHandler {
  return (req, res, next) => {
    try {
      const found = findRule(req.method, req.baseUrl + req.path);
      if (!found) throw AppError.notFound('not found');
      if ('methodNotAllowed' in found) {
        res.setHeader('allow', found.methodNotAllowed.join(', '));
        throw new AppError(405, `${req.method} is not allowed here`);
      }
      checkAccess(found.rule.access, principalOf(res), found.id);
      next();
    } catch (err) {
      next(err);
    }
  };
}
