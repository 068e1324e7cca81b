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
];
