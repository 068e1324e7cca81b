import type { Scope } from '@micromesh/contracts';
import type { Role } from './user';

/** A stored API key (the secret itself is never stored, only its SHA-256). */
export interface ApiKeyRecord {
  id: string;
  user_id: string;
  name: string;
  prefix: string;
  role: Role;
  /** What the key may do, a subset of its owner's scopes at creation (and bounded by them now). */
  scopes: Scope[];
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
}

export interface PublicApiKey {
  id: string;
  user_id: string;
  name: string;
  prefix: string;
  role: Role;
  scopes: Scope[];
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  active: boolean;
}

export function isKeyActive(key: ApiKeyRecord, now = new Date()): boolean {
  return key.revoked_at === null && (key.expires_at === null || key.expires_at > now);
}

export function toPublicApiKey(key: ApiKeyRecord, now = new Date()): PublicApiKey {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: key.id,
    user_id: key.user_id,
    name: key.name,
    prefix: key.prefix,
    role: key.role,
    scopes: key.scopes,
    created_at: key.created_at.toISOString(),
    last_used_at: iso(key.last_used_at),
    expires_at: iso(key.expires_at),
    revoked_at: iso(key.revoked_at),
    active: isKeyActive(key, now),
  };
}
