import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

type HeaderChange =
  { set: string; value: string | number | readonly string[] } | { remove: string };

/** True when a Content-Security-Policy directive is computed per request (e.g. a nonce). */
function hasDynamicDirectives(options: HelmetOptions): boolean {
  const csp = options.contentSecurityPolicy;
  if (typeof csp !== 'object' || csp === null) return false;
  const directives = (csp as { directives?: Record<string, unknown> }).directives ?? {};
  return Object.values(directives).some(
    (value) =>
      typeof value === 'function' ||
      (Array.isArray(value) && value.some((v) => typeof v === 'function')),
  );
}

/** What helmet does to a response's headers, recorded once (helmet is synchronous). */
function recordHeaderChanges(middleware: ReturnType<typeof helmet>): HeaderChange[] | undefined {
  const changes: HeaderChange[] = [];
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      changes.push({ set: name, value });
      return res;
    },
    removeHeader(name: string) {
      changes.push({ remove: name });
    },
  };
  let done = false;
  let failed = false;
  middleware(
    { headers: {}, method: 'GET', url: '/' } as IncomingMessage,
    res as unknown as ServerResponse,
    (err?: unknown) => {
      done = true;
      failed = err !== undefined;
    },
  );
  return done && !failed ? changes : undefined;
}

/**
 * helmet's headers at a fraction of its cost per request: helmet runs a dozen middlewares and
 * rebuilds the Content-Security-Policy string on every response, though with fixed options the
 * headers never change. They are computed once here and set as they are; options with a policy
 * computed per request (a function directive) keep helmet as it is.
 */
export function securityHeaders(options: HelmetOptions = {}): RequestHandler {
  const middleware = helmet(options);
  const changes = hasDynamicDirectives(options) ? undefined : recordHeaderChanges(middleware);
  if (!changes) return middleware;
  return (_req, res, next) => {
    for (const change of changes) {
      if ('set' in change) res.setHeader(change.set, change.value);
      else res.removeHeader(change.remove);
    }
    next();
  };
}
