import type { Scope } from './scopes';

/**
 * Who may call what at the broker, the mesh's only public entry: one table for every public route,
 * part of the public contract. The broker enforces it; the end-to-end security suite probes each
 * row with every kind of caller.
 */

/** The actions of `POST /handle` (`{"action": "<name>", "<name>": {...}}`). */
export const HANDLE_ACTIONS = ['auth', 'log', 'event', 'mail'] as const;
export type HandleAction = (typeof HANDLE_ACTIONS)[number];

/**
 * - `public`: anyone; `signed-in`: any valid token or API key (the service behind decides the rest,
 *   e.g. auth lets a user manage only its own keys); `token`: a token, not an API key (logging out,
 *   and making a credential that must not outlive the one that made it);
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
  action?: HandleAction;
  access: Access;
}

const scope = (s: Scope): Access => ({ kind: 'scope', scope: s });

/** What each action of POST /handle needs (`auth` is public: it is the login). */
export const ACTION_ACCESS: Readonly<Record<HandleAction, Access>> = {
  auth: { kind: 'public' },
  log: scope('logs:write'),
  event: scope('events:publish'),
  mail: scope('mail:send'),
};

export const ACCESS_RULES: readonly AccessRule[] = [
  { method: 'POST', path: '/', access: { kind: 'public' } },
  { method: 'GET', path: '/ping', access: { kind: 'public' } },
  { method: 'GET', path: '/openapi.json', access: { kind: 'public' } },
  ...(Object.entries(ACTION_ACCESS) as [HandleAction, Access][]).map(
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
  // A key made by a key would outlive its maker's expiry and revocation. (For the same reason auth
  // refuses a key that creates a user, or sets another's password or role, or reactivates one.)
  { method: 'POST', path: '/api/keys', access: { kind: 'token' } },
  { method: 'DELETE', path: '/api/keys/:id', access: { kind: 'signed-in' } },
  { method: 'POST', path: '/api/auth/logout', access: { kind: 'token' } },
  { method: 'GET', path: '/api/dead-letters', access: scope('dlq:admin') },
  { method: 'POST', path: '/api/dead-letters/:id/replay', access: scope('dlq:admin') },
  { method: 'DELETE', path: '/api/dead-letters/:id', access: scope('dlq:admin') },
];
