import type { Role } from '@micromesh/contracts';

export { ROLES, type Role } from '@micromesh/contracts';

/** A stored user, password hash included: never leaves the service as is. */
export interface UserRecord {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  password_hash: string;
  role: Role;
  active: boolean;
  /** Tokens issued with an older version are revoked. */
  token_version: number;
  created_at: Date;
  updated_at: Date;
}

/** What clients see of a user. */
export interface PublicUser {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  active: boolean;
  role: Role;
  created_at: string;
  updated_at: string;
}

export function toPublicUser(user: UserRecord): PublicUser {
  return {
    id: user.id,
    email: user.email,
    first_name: user.first_name,
    last_name: user.last_name,
    active: user.active,
    role: user.role,
    created_at: user.created_at.toISOString(),
    updated_at: user.updated_at.toISOString(),
  };
}

const RANK: Record<Role, number> = { user: 0, admin: 1 };

/** The lesser of two roles: a key never grants more than its owner currently has. */
export function lesserRole(a: Role, b: Role): Role {
  return RANK[a] <= RANK[b] ? a : b;
}
