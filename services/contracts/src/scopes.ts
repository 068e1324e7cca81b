/**
 * Permissions of the mesh. A route names the scope it needs; a role is a bundle of scopes; an API
 * key carries a subset of its owner's. Access tokens carry the granted scopes in the `scope` claim
 * (space-separated, RFC 9068), and a role change revokes the old tokens, so the claim never
 * outlives the role it came from.
 */
export const SCOPES = [
  'logs:read',
  'logs:write',
  'events:publish',
  'mail:send',
  'traces:read',
  'users:admin',
  'keys:admin',
  'dlq:admin',
] as const;

export type Scope = (typeof SCOPES)[number];

export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What each role may do. Reading logs and traces is an admin right: login events hold personal data. */
export const ROLE_SCOPES: Readonly<Record<Role, readonly Scope[]>> = {
  user: ['logs:write', 'events:publish', 'mail:send'],
  admin: SCOPES,
};

const KNOWN = new Set<string>(SCOPES);

export function isScope(value: string): value is Scope {
  return KNOWN.has(value);
}

export function scopesOfRole(role: Role): readonly Scope[] {
  return ROLE_SCOPES[role];
}

/** The `scope` claim's form: known scopes, space-separated, in the canonical order. */
export function formatScopes(scopes: Iterable<Scope>): string {
  const granted = new Set(scopes);
  return SCOPES.filter((s) => granted.has(s)).join(' ');
}

/** A `scope` claim back to scopes; unknown words are dropped (never granted). */
export function parseScopes(claim: string): Scope[] {
  const words = new Set(claim.split(' ').filter(Boolean));
  return SCOPES.filter((s) => words.has(s));
}

/** The scopes in both lists: what a key grants is bounded by what its owner has now. */
export function intersectScopes(a: Iterable<Scope>, b: Iterable<Scope>): Scope[] {
  const inB = new Set(b);
  const inA = new Set(a);
  return SCOPES.filter((s) => inA.has(s) && inB.has(s));
}
