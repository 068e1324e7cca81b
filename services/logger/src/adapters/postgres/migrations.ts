import type { Migration } from '@micromesh/kit';

/**
 * The reference log schema (service_name, log_level, timestamp, trace_id, span_id, JSONB metadata;
 * its `message` is our `data`) plus the contract's `name` and the idempotency key `event_id`.
 * Never edit a shipped migration; add the next version.
 */
export const LOG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'logs table, indexes, full-text search, tail notifications',
    up: `
      CREATE TABLE logs (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id     uuid        NOT NULL,
        name         text        NOT NULL,
        data         text        NOT NULL,
        service_name text        NOT NULL,
        log_level    text        NOT NULL
                     CHECK (log_level IN ('DEBUG', 'INFO', 'WARNING', 'ERROR', 'FATAL')),
        trace_id     text,
        span_id      text,
        metadata     jsonb,
        timestamp    timestamptz NOT NULL,
        received_at  timestamptz NOT NULL DEFAULT now(),
        -- 'simple' (no stemming, no stop words): log text is identifiers and codes, not prose.
        search       tsvector GENERATED ALWAYS AS
                     (to_tsvector('simple', name || ' ' || data)) STORED,
        CONSTRAINT logs_event_id_key UNIQUE (event_id)
      );

      -- Every listing is newest first with event_id as the tie-break (keyset pagination).
      CREATE INDEX logs_timestamp_idx ON logs (timestamp DESC, event_id DESC);
      CREATE INDEX logs_service_timestamp_idx ON logs (service_name, timestamp DESC, event_id DESC);
      CREATE INDEX logs_level_timestamp_idx ON logs (log_level, timestamp DESC, event_id DESC);
      CREATE INDEX logs_trace_id_idx ON logs (trace_id) WHERE trace_id IS NOT NULL;
      CREATE INDEX logs_search_idx ON logs USING GIN (search);

      -- Live tail across replicas: one notification per INSERT statement, carrying the id range
      -- of the rows it added; delivered to every LISTENing replica only when the rows commit.
      CREATE FUNCTION logs_notify_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        range text;
      BEGIN
        SELECT min(id) || ':' || max(id) INTO range FROM inserted_rows;
        IF range IS NOT NULL THEN
          PERFORM pg_notify('logs_inserted', range);
        END IF;
        RETURN NULL;
      END;
      $$;

      CREATE TRIGGER logs_notify_inserted
        AFTER INSERT ON logs
        REFERENCING NEW TABLE AS inserted_rows
        FOR EACH STATEMENT EXECUTE FUNCTION logs_notify_inserted();
    `,
  },
  {
    version: 2,
    name: "search by the logger's own terms (the same answers as the MongoDB adapter)",
    // Text search moves from to_tsvector('simple', …) — PostgreSQL's parser, which keeps
    // `api.example.com` whole but splits `card_declined`, and keeps accents — to the terms the
    // logger computes for every store (src/domain/search-terms.ts). Rows written before this
    // migration get theirs from the adapter at start-up (search_terms IS NULL).
    up: `
      ALTER TABLE logs ADD COLUMN search_terms text[];
      CREATE INDEX logs_search_terms_idx ON logs USING GIN (search_terms);
      DROP INDEX logs_search_idx;
      ALTER TABLE logs DROP COLUMN search;
    `,
  },
];

export const LOG_MIGRATIONS_TABLE = 'logger_schema_migrations';
export const TAIL_CHANNEL = 'logs_inserted';
