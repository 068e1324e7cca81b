import type { RevocationNotice, Scope } from '@micromesh/contracts';
import type { ApiKeyRecord } from './api-key';
import type { Role, UserRecord } from './user';

// What the auth domain needs from the outside world. The adapters (PostgreSQL, bcrypt, jose,
// RabbitMQ) implement these; app.ts hands them in.

// ── users ────────────────────────────────────────────────────────────────────────────────────

export interface NewUser {
  email: string;
  first_name: string;
  last_name: string;
  password_hash: string;
  role: Role;
  active: boolean;
}

export type UserChanges = Partial<NewUser>;

/** Thrown by a UserStore when an email is already taken (in any case). */
export class EmailTakenError extends Error {
  override readonly name = 'EmailTakenError';
}

/** A revocation as stored and announced: tokens of the user with `ver` below min_version are dead. */
export interface Revocation {
  user_id: string;
  min_version: number;
}

/** What the brokers' catch-up reads: users' token revocations and revoked API keys. */
export interface RevocationRecords {
  revocations: Revocation[];
  /** Ids of the API keys revoked in the same span. */
  key_ids: string[];
  /** The database's clock when this was read: pass it back as `after` to get only what is newer. */
  as_of: Date;
}

/** The revocations kept for the brokers' catch-up. */
export interface RevocationLog {
  /**
   * Revocations younger than `seconds` (older ones only concern tokens that have expired); with
   * `after` (an earlier `as_of`), only those recorded since, with a margin for slow commits.
   */
  recent(seconds: number, after?: Date): Promise<RevocationRecords>;
}

/** The accounts. Emails are unique regardless of case. */
export interface UserStore {
  findByEmail(email: string): Promise<UserRecord | undefined>;
  findById(id: string): Promise<UserRecord | undefined>;
  list(limit: number, offset: number): Promise<{ users: UserRecord[]; total: number }>;
  /** Throws EmailTakenError when the email exists. */
  insert(user: NewUser): Promise<UserRecord>;
  /** Inserts unless the email exists (any case); true when a row was created. */
  insertIfAbsent(user: NewUser): Promise<boolean>;
  /**
   * Applies the changes; with `revokeTokens`, also bumps the token version (every token issued so
   * far stops working) and records the revocation in the same step. `revokeTokens` with no
   * changes = logout. Throws EmailTakenError when the new email exists.
   */
  update(id: string, changes: UserChanges, revokeTokens?: boolean): Promise<UserRecord | undefined>;
  /** Deletes the user and, in the same step, revokes every token they hold. */
  delete(id: string): Promise<boolean>;
}

// ── API keys ─────────────────────────────────────────────────────────────────────────────────

export interface NewApiKey {
  user_id: string;
  name: string;
  prefix: string;
  key_hash: string;
  role: Role;
  scopes: readonly string[];
  expires_at: Date | null;
}

/** A key together with the owner's current state, for introspection. */
export interface ApiKeyWithOwner {
  key: ApiKeyRecord;
  owner: Pick<UserRecord, 'id' | 'email' | 'role' | 'active'>;
}

export interface ApiKeyStore {
  /**
   * Stores the key unless its owner already holds `maxLive` live keys (neither revoked nor
   * expired): then nothing is stored and the answer is undefined. Concurrent inserts of one owner
   * are serialised, so the limit holds under a burst.
   */
  insertWithin(key: NewApiKey, maxLive: number): Promise<ApiKeyRecord | undefined>;
  /** Newest first; every key when userId is undefined (admin view). */
  list(userId: string | undefined, limit: number, offset: number): Promise<ApiKeyRecord[]>;
  findById(id: string): Promise<ApiKeyRecord | undefined>;
  /** Sets revoked_at once; revoking again keeps the first time. */
  revoke(id: string): Promise<ApiKeyRecord | undefined>;
  findByHashWithOwner(keyHash: string): Promise<ApiKeyWithOwner | undefined>;
  /** Records use, at most once per `granularitySeconds` per key. */
  touch(id: string, granularitySeconds: number): Promise<void>;
}

// ── failed logins ────────────────────────────────────────────────────────────────────────────

export interface AccountFailures {
  failures: number;
  lastFailureAt: Date;
}

/** Failed logins per account (keyed by the lower-cased email offered), shared by every replica. */
export interface AccountFailureStore {
  get(emailKey: string): Promise<AccountFailures | undefined>;
  recordFailure(emailKey: string): Promise<AccountFailures>;
  clear(emailKey: string): Promise<void>;
}

/**
 * A fixed-window budget of login attempts per key (a client address, or email + address), shared
 * by every replica.
 */
export interface LoginBudget {
  /**
   * Spends one point: resolves with the wait (ms) before the next attempt when the budget is
   * spent, else undefined. Rejects only on a fault of the counter itself.
   */
  consume(key: string): Promise<number | undefined>;
  /** Forgets what the key spent. */
  delete(key: string): Promise<void>;
  /** Gives points back to the key. */
  reward(key: string, points: number): Promise<void>;
}

// ── passwords and tokens ─────────────────────────────────────────────────────────────────────

/**
 * Hashes and checks passwords. `verify` against no hash still spends one full compare, so an
 * unknown email takes as long as a wrong password.
 */
export interface PasswordHasher {
  /** Throws 503 at once when no hashing capacity is free (before any other work). */
  assertCapacity(): void;
  hash(password: string): Promise<string>;
  verify(password: string, hash: string | undefined): Promise<boolean>;
}

export interface AccessToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

/** What a token is issued for. */
export interface TokenSubject {
  id: string;
  role: Role;
  email: string;
  token_version: number;
  scopes: readonly Scope[];
}

export interface TokenClaims {
  sub: string;
  role: Role;
  email: string;
  jti: string;
  kid: string;
  /** The `scope` claim: what the token may do. */
  scopes: Scope[];
  /** The `ver` claim: the user's token version at login (older than the user's = revoked). */
  version: number;
  /** Expiry, epoch seconds. */
  exp: number;
}

/** A JSON Web Key Set (RFC 7517): the public keys that verify the tokens. */
export interface JsonWebKeySet {
  keys: Record<string, unknown>[];
}

/** Issues and verifies access tokens, and publishes the keys that verify them. */
export interface Tokens {
  issue(subject: TokenSubject): Promise<AccessToken>;
  /** Verifies signature, issuer, audience and expiry; throws on anything wrong. */
  verify(token: string): Promise<TokenClaims>;
  publicJwks(): JsonWebKeySet;
}

/** The keys that sign tokens, reread at run time so a rotation needs no restart. */
export interface SigningKeyRing {
  /**
   * Rereads the keys and swaps them in when the set changed. Throws when they cannot be read or
   * one is invalid; the current keys then stay.
   */
  reload(): Promise<{ changed: boolean; signingKid: string; kids: string[] }>;
}

// ── announcements ────────────────────────────────────────────────────────────────────────────

export interface LoggedInUser {
  id: string;
  role: Role;
}

/**
 * Where a successful login is announced. Fire and forget: implementations must never make the
 * login wait or fail. The announcement names the user by id only: it is stored in the log store
 * for its retention and read by whoever holds `logs:read`, so it carries no email and no address.
 */
export interface LoginEvents {
  userLoggedIn(user: LoggedInUser): void;
}

/**
 * Where revocations are announced to every broker replica. Fire and forget: the change is already
 * stored, and a broker that misses a notice catches up from `GET /internal/revocations` (polled
 * every second or so).
 */
export interface RevocationAnnouncer {
  announce(notice: RevocationNotice): void;
}
