import type { AccessRule } from '@micromesh/contracts';
import { AppError } from '@micromesh/kit';
import type { RequestHandler, Response } from 'express';
import { canonicalPath, checkAccess, findRule } from '../../domain/access-rules';
import { principalOf } from './authenticate';

/** The access-table row a request was admitted under, and its one spelling (see `canonicalPath`). */
export interface MatchedRoute {
  rule: AccessRule;
  /** The rule's path with the request's `:id`, without a trailing slash or the query. */
  path: string;
}

const MATCHED_KEY = 'matchedRoute';

/**
 * For a proxied prefix: the request must match a row of the access table (404 otherwise, 405 for
 * another method) and the caller must satisfy it. Mounted after `requireAuth`. The row is kept on
 * the response (`matchedRouteOf`): what comes after decides from it, never from `req.path` again,
 * which Express matches loosely (`/stream/` for `/stream`).
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
      const matched: MatchedRoute = { rule: found.rule, path: canonicalPath(found.rule, found.id) };
      res.locals[MATCHED_KEY] = matched;
      next();
    } catch (err) {
      next(err);
    }
  };
}

/** The row `guardByTable` admitted this request under; undefined when it did not run. */
export function matchedRouteOf(res: Response): MatchedRoute | undefined {
  return res.locals[MATCHED_KEY] as MatchedRoute | undefined;
}
