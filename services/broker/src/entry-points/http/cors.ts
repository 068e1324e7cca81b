import cors from 'cors';
import type { RequestHandler } from 'express';

/** CORS for the configured browser origins only; other origins get no CORS headers at all. */
export function corsAllowlist(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  const handler = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: [
      'Authorization',
      'X-API-Key',
      'Content-Type',
      'Idempotency-Key',
      'X-Request-Id',
    ],
    exposedHeaders: [
      'X-Request-Id',
      'X-RateLimit-Limit',
      'X-RateLimit-Remaining',
      'X-RateLimit-Reset',
      'Retry-After',
    ],
    maxAge: 600,
  });
  // Most calls (CLIs, services, benchmarks) send no Origin: skip the CORS work for them.
  return (req, res, next) => {
    if (req.headers.origin !== undefined) {
      handler(req, res, next);
      return;
    }
    // Still vary on Origin, so a shared cache never hands this answer to a browser origin (set
    // directly when nothing varies yet: `res.vary` parses and merges a header on every request).
    if (res.getHeader('vary') === undefined) res.setHeader('Vary', 'Origin');
    else res.vary('Origin');
    next();
  };
}
