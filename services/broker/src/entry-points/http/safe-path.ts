import { AppError } from '@micromesh/kit';
import type { RequestHandler } from 'express';

/**
 * Refuses paths that a URL parser or a downstream router would read differently than our route
 * table does: dot segments (`..`, `.`, also percent-encoded as `%2e%2e`), encoded slashes and
 * backslashes (`%2f`, `%5c`), NUL, and malformed percent-encoding. Proxied paths are rebuilt with
 * `new URL()`, which resolves `%2e%2e` like `..`: without this, `/api/logs/%2e%2e/metrics` reached
 * the logger's `/metrics`.
 */
export function refuseUnsafePaths(): RequestHandler {
  return (req, _res, next) => {
    const rawPath = req.originalUrl.split('?')[0] ?? '';
    next(isSafePath(rawPath) ? undefined : AppError.badRequest('invalid path'));
  };
}

export function isSafePath(rawPath: string): boolean {
  if (rawPath.includes('\\')) return false;
  for (const segment of rawPath.split('/').slice(1)) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return false;
    }
    if (decoded === '.' || decoded === '..') return false;
    if (decoded.includes('/') || decoded.includes('\\') || decoded.includes('\0')) return false;
  }
  return true;
}
