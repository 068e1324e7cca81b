import { ACCESS_RULES, type Access, type AccessRule } from '@micromesh/contracts';
import { AppError } from '@micromesh/kit';
import type { Principal, Scope } from './principal';

/**
 * The access table (@micromesh/contracts' ACCESS_RULES, the public contract) applied: which row a
 * request falls under, and whether a caller satisfies it.
 */

function matches(pattern: string, path: string): { id?: string } | undefined {
  const want = pattern.split('/');
  // One trailing slash is the same path, as Express (not strict) reads it; two are not.
  const got = path.replace(/\/$/, '').split('/');
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

/**
 * The one spelling of a matched request: the rule's path with its `:id` (as sent, still
 * percent-encoded) and no trailing slash. Whatever is served on, it is served as this.
 */
export function canonicalPath(rule: AccessRule, id?: string): string {
  return rule.path.replace(':id', id ?? '');
}

export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes.has(scope);
}

/** 403 unless the caller holds the scope. */
export function checkScope(principal: Principal, scope: Scope): void {
  if (!hasScope(principal, scope)) throw AppError.forbidden(`requires the ${scope} scope`);
}

/** Enforces one access rule for an authenticated caller; `id` is the path's `:id`, if any. */
export function checkAccess(access: Access, principal: Principal, id?: string): void {
  switch (access.kind) {
    case 'public':
    case 'signed-in':
      return;
    case 'token':
      if (principal.kind !== 'user') {
        throw AppError.badRequest('only a token session can do this, not an API key');
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
