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
];
