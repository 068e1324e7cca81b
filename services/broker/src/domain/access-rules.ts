import { AppError } from '@micromesh/kit';
import { type Scope } from '@micromesh/contracts';
import type { RequestHandler } from 'express';
import type { ActionName } from '../domain/action-schemas';
import { checkScope, hasScope, principalOf } from './authenticate';

/**
 * Who may call what: one table for every route of the broker, read by the guards below and by the
 * security suite, which probes each row with every kind of caller.
 * - `public`: anyone; `signed-in`: any valid token or API key (the service behind decides the rest,
 *   e.g. auth lets a user manage only its own keys); `token`: a token, not an API key;
 * - `scope`: the caller holds the scope; `self-or-scope`: the `:id` in the path is the caller's own
 *   user id, or the caller holds the scope.
 */
export type Access =
  | { kind: 'public' }
  | { kind: 'signed-in' }
  | { kind: 'token' }
  | { kind: 'scope'; scope: Scope }
  | { kind: 'self-or-scope'; scope: Scope };

export interface AccessRule {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Express-style path; `:id` is a path parameter. */
  path: string;
  /** For POST /handle: the action in the body. */
  action?: ActionName;
  access: Access;
}

const scope = (s: Scope): Access => ({ kind: 'scope', scope: s });

/** What each action of POST /handle needs (`auth` is public: it is the login). */
export const ACTION_ACCESS: Readonly<Record<ActionName, Access>> = {
  auth: { kind: 'public' },
  log: scope('logs:write'),
  event: scope('events:publish'),
  mail: scope('mail:send'),
};

export const ACCESS_RULES: readonly AccessRule[] = [
  { method: 'POST', path: '/', access: { kind: 'public' } },
  { method: 'GET', path: '/ping', access: { kind: 'public' } },
  { method: 'GET', path: '/openapi.json', access: { kind: 'public' } },
  ...(Object.entries(ACTION_ACCESS) as [ActionName, Access][]).map(
    ([action, access]): AccessRule => ({ method: 'POST', path: '/handle', action, access }),
  ),
  { method: 'POST', path: '/log-grpc', access: scope('logs:write') },
  // One's own mails only (the mail service answers 404 for anyone else's).
  { method: 'GET', path: '/api/mail/:id', access: scope('mail:send') },
  { method: 'GET', path: '/api/health', access: { kind: 'signed-in' } },
  { method: 'GET', path: '/api/logs', access: scope('logs:read') },
  { method: 'GET', path: '/api/logs/stream', access: scope('logs:read') },
  { method: 'GET', path: '/api/logs/:id', access: scope('logs:read') },
  { method: 'GET', path: '/api/traces', access: scope('traces:read') },
  { method: 'GET', path: '/api/traces/:id', access: scope('traces:read') },
  { method: 'GET', path: '/api/users', access: scope('users:admin') },
  { method: 'POST', path: '/api/users', access: scope('users:admin') },
  {
    method: 'GET',
    path: '/api/users/:id',
    access: { kind: 'self-or-scope', scope: 'users:admin' },
  },
  {
    method: 'PATCH',
    path: '/api/users/:id',
    access: { kind: 'self-or-scope', scope: 'users:admin' },
  },
  { method: 'DELETE', path: '/api/users/:id', access: scope('users:admin') },
  { method: 'GET', path: '/api/keys', access: { kind: 'signed-in' } },
  { method: 'POST', path: '/api/keys', access: { kind: 'signed-in' } },
  { method: 'DELETE', path: '/api/keys/:id', access: { kind: 'signed-in' } },
  { method: 'POST', path: '/api/auth/logout', access: { kind: 'token' } },
  { method: 'GET', path: '/api/dead-letters', access: scope('dlq:admin') },
  { method: 'POST', path: '/api/dead-letters/:id/replay', access: scope('dlq:admin') },
  { method: 'DELETE', path: '/api/dead-letters/:id', access: scope('dlq:admin') },
];

function matches(pattern: string, path: string): { id?: string } | undefined {
  const want = pattern.split('/');
  const got = path.replace(/\/+$/, '').split('/');
  if (pattern !== '/' && want.length !== got.length) return undefined;
  const params: { id?: string } = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i] ?? '';
    if (w.startsWith(':')) {
      if (g === '') return undefined;
      params.id = g;
    } else if (w !== g) {
      return undefined;
    }
  }
  return params;
}

/** The rule for a method and path (HEAD reads as GET); undefined when the table has none. */
export function findRule(
  method: string,
  path: string,
): { rule: AccessRule; id?: string } | { methodNotAllowed: string[] } | undefined {
  const wanted = method === 'HEAD' ? 'GET' : method;
  const allowed: string[] = [];
  for (const rule of ACCESS_RULES) {
    if (rule.action) continue;
    const params = matches(rule.path, path);
    if (!params) continue;
    if (rule.method === wanted) return { rule, ...params };
    allowed.push(rule.method, ...(rule.method === 'GET' ? ['HEAD'] : []));
  }
  return allowed.length > 0 ? { methodNotAllowed: allowed } : undefined;
}

/** Enforces one access rule for the authenticated caller (after `requireAuth`). */
export function enforce(access: Access, res: Parameters<RequestHandler>[1], id?: string): void {
  const principal = principalOf(res);
  switch (access.kind) {
    case 'public':
    case 'signed-in':
      return;
    case 'token':
      if (principal.kind !== 'user') {
        throw AppError.badRequest('only a token session can do this; API keys are revoked by id');
      }
      return;
    case 'scope':
      checkScope(principal, access.scope);
      return;
    case 'self-or-scope':
      if (id === principal.subject) return; // the user's own record (by token or own key)
      if (!hasScope(principal, access.scope)) {
        throw AppError.forbidden(`requires the ${access.scope} scope (or your own user id)`);
      }
  }
}

/**
 * For a proxied prefix: the request must match a row of the table (404 otherwise, 405 for another
 * method) and the caller must satisfy it. Mounted after `requireAuth`.
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
      enforce(found.rule.access, res, found.id);
      next();
    } catch (err) {
      next(err);
    }
  };
}
