import type { Migration } from '@micromesh/kit';

/** The broker's own database: idempotency records only. Never edit a shipped migration. */
export const BROKER_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'idempotency keys',
    up: `
      CREATE TABLE broker_idempotency_keys (
        principal       text        NOT NULL,
        idempotency_key text        NOT NULL,
        request_hash    text        NOT NULL,
        -- The answer once the first request completed; NULL while in flight or after a failure.
        status          integer,
        answer          jsonb,
        created_at      timestamptz NOT NULL DEFAULT now(),
        expires_at      timestamptz NOT NULL,
        PRIMARY KEY (principal, idempotency_key)
      );
      CREATE INDEX broker_idempotency_keys_expires_idx ON broker_idempotency_keys (expires_at);
    `,
  },
  {
    version: 2,
    name: 'the event id a key names',
    // NULL for keys claimed before this version: their repeats derive the id from the key, as
    // that version did, so a retry across the upgrade still stores one record.
    up: `ALTER TABLE broker_idempotency_keys ADD COLUMN event_id uuid;`,
  },
];

export const BROKER_MIGRATIONS_TABLE = 'broker_schema_migrations';
