import type { Migration } from '@micromesh/kit';

/** The auth schema, applied in order at start-up. Never edit a shipped migration: add one. */
export const authMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'users',
    up: `
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
        first_name text NOT NULL DEFAULT '',
        last_name text NOT NULL DEFAULT '',
        password_hash text NOT NULL,
        role text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      -- Emails are unique regardless of case; lookups use the same expression.
      CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
      CREATE INDEX users_created_at_idx ON users (created_at, id);
    `,
  },
  {
    version: 2,
    name: 'api_keys',
    up: `
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        name text NOT NULL,
        prefix text NOT NULL,
        key_hash text NOT NULL UNIQUE,
        role text NOT NULL CHECK (role IN ('user', 'admin')),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        expires_at timestamptz,
        revoked_at timestamptz
      );
      CREATE INDEX api_keys_user_id_idx ON api_keys (user_id, created_at);
    `,
  },
  {
    version: 3,
    name: 'login_limits',
    // The table layout rate-limiter-flexible's RateLimiterPostgres expects (key widened to text).
    up: `
      CREATE TABLE login_limits (
        key text PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      );
    `,
  },
  {
    version: 4,
    name: 'scopes_and_revocation',
    up: `
      -- Tokens carry the version current at login; bumping it revokes every older token.
      ALTER TABLE users ADD COLUMN token_version integer NOT NULL DEFAULT 1;
      -- One row per user whose tokens were revoked: the least version still valid. No foreign key,
      -- so a deleted user's row stays (min_version = max int) until its tokens have expired.
      CREATE TABLE token_revocations (
        user_id uuid PRIMARY KEY,
        min_version integer NOT NULL,
        revoked_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX token_revocations_revoked_at_idx ON token_revocations (revoked_at);
      -- An API key carries a subset of its owner's scopes, chosen at creation.
      ALTER TABLE api_keys ADD COLUMN scopes text[];
      UPDATE api_keys SET scopes = CASE role
        WHEN 'admin' THEN ARRAY['logs:read','logs:write','events:publish','mail:send','traces:read',
                                'users:admin','keys:admin','dlq:admin']
        ELSE ARRAY['logs:write','events:publish','mail:send'] END;
      ALTER TABLE api_keys ALTER COLUMN scopes SET NOT NULL;
      -- Failed logins per account, across every client address: each one past the free allowance
      -- doubles the wait before the next attempt is checked (no lockout, only a growing delay).
      CREATE TABLE login_account_failures (
        email_key text PRIMARY KEY,
        failures integer NOT NULL,
        last_failure_at timestamptz NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: 'revoked_keys_index',
    up: `
      -- The brokers read the recently revoked keys every second or so (their catch-up list).
      CREATE INDEX api_keys_revoked_at_idx ON api_keys (revoked_at) WHERE revoked_at IS NOT NULL;
    `,
  },
];
