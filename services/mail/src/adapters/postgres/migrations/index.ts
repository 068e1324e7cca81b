import type { Migration } from '@micromesh/kit';

export const MIGRATIONS_TABLE = 'mail_schema_migrations';

export const mailMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'mail messages with status and idempotency key',
    up: `
      CREATE TABLE mail_messages (
        id uuid PRIMARY KEY,
        idempotency_key text UNIQUE,
        payload_hash text NOT NULL,
        sender text NOT NULL,
        recipient text NOT NULL,
        subject text NOT NULL,
        body text NOT NULL,
        status text NOT NULL CHECK (status IN ('sending', 'queued', 'sent', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        -- true once RabbitMQ confirmed a retry message for the current attempt
        enqueued boolean NOT NULL DEFAULT false,
        next_attempt_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
      );
      -- the sweeper's two questions: what is stored but not on RabbitMQ, what was left mid-send
      CREATE INDEX mail_messages_unqueued ON mail_messages (next_attempt_at)
        WHERE status = 'queued' AND NOT enqueued;
      CREATE INDEX mail_messages_sending ON mail_messages (updated_at) WHERE status = 'sending';
    `,
  },
  {
    version: 2,
    name: 'idempotency keys per principal, expiring; delivery leases; sender quotas',
    up: `
      -- Keys were one global namespace. Every existing row moves into the 'legacy:' scope: its
      -- key stays unique and its status readable, but no principal's new request matches it.
      ALTER TABLE mail_messages ADD COLUMN principal text;
      UPDATE mail_messages SET principal = 'legacy:';
      ALTER TABLE mail_messages ALTER COLUMN principal SET NOT NULL;
      ALTER TABLE mail_messages DROP CONSTRAINT mail_messages_idempotency_key_key;
      ALTER TABLE mail_messages
        ADD CONSTRAINT mail_messages_principal_idempotency_key UNIQUE (principal, idempotency_key);
      ALTER TABLE mail_messages ADD COLUMN idempotency_expires_at timestamptz;
      UPDATE mail_messages SET idempotency_expires_at = created_at + interval '24 hours'
        WHERE idempotency_key IS NOT NULL;

      -- An attempt owns its message through a lease: a token (the fence every outcome write
      -- checks) and an expiry the running attempt keeps pushing forward.
      ALTER TABLE mail_messages ADD COLUMN lease_token uuid, ADD COLUMN lease_until timestamptz;
      -- Attempts in flight during the upgrade keep the old rule: interrupted after 2 minutes.
      UPDATE mail_messages SET lease_until = updated_at + interval '2 minutes'
        WHERE status = 'sending';
      DROP INDEX mail_messages_sending;
      CREATE INDEX mail_messages_leases ON mail_messages (lease_until) WHERE status = 'sending';

      -- Mails sent per principal in fixed UTC windows ('minute', 'day'), shared by all replicas.
      CREATE TABLE mail_quota_usage (
        principal text NOT NULL,
        period text NOT NULL CHECK (period IN ('minute', 'day')),
        window_start timestamptz NOT NULL,
        used integer NOT NULL,
        PRIMARY KEY (principal, period, window_start)
      );
    `,
  },
];
