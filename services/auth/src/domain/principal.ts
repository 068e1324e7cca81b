import { AppError } from '@micromesh/kit';
import type { Scope } from '@micromesh/contracts';
import type { Role } from './user';

/** Who is calling, with the rights they have right now. */
export interface Principal {
  userId: string;
  email: string;
  role: Role;
  scopes: Scope[];
  via: 'token' | 'api_key';
}

export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes.includes(scope);
}

/** 403 unless the caller holds the scope. */
export function requireScope(principal: Principal, scope: Scope): void {
  if (!hasScope(principal, scope)) throw AppError.forbidden(`requires the ${scope} scope`);
}

/**
 * 400 unless the caller signed in with a token (not an API key). What a credential makes or grants
 * (another key, a user, a password, a role, an active flag) would outlive the credential: a
 * leaked key, once revoked, must leave nothing behind. So only a session makes such things.
 */
export function requireSession(principal: Principal, what: string): void {
  if (principal.via !== 'token') {
    throw AppError.badRequest(`only a token session can ${what}, not an API key`);
  }
}
