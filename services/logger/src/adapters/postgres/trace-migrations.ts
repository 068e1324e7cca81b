import type { Migration } from '@micromesh/kit';

/**
 * The spans table (the traces of reference/000: trace id, span id, parent link, service, name,
 * kind, start and duration, status, attributes), beside the logs in the same database. Its own
 * migrations table, so the log schema and the span schema version independently.
 * Never edit a shipped migration; add the next version.
 */
export const TRACE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'spans table and its indexes',
    up: `
      CREATE TABLE spans (
        trace_id       text        NOT NULL,
        span_id        text        NOT NULL,
        parent_span_id text,
        service_name   text        NOT NULL,
        name           text        NOT NULL,
        kind           text        NOT NULL
                       CHECK (kind IN ('unspecified', 'internal', 'server', 'client', 'producer', 'consumer')),
        -- Microseconds since the epoch: the waterfall needs finer steps than milliseconds.
        start_us       bigint      NOT NULL,
        duration_us    bigint      NOT NULL CHECK (duration_us >= 0),
        start_time     timestamptz NOT NULL,
        status         text        NOT NULL CHECK (status IN ('unset', 'ok', 'error')),
        status_message text,
        attributes     jsonb       NOT NULL DEFAULT '{}',
        links          jsonb       NOT NULL DEFAULT '[]',
        received_at    timestamptz NOT NULL DEFAULT now(),
        -- One trace's spans are read together: the key's leading trace_id serves that lookup.
        PRIMARY KEY (trace_id, span_id)
      );

      -- Recent/slowest trace lists and retention scan by start time.
      CREATE INDEX spans_start_time_idx ON spans (start_time DESC);
    `,
  },
];

export const TRACE_MIGRATIONS_TABLE = 'logger_trace_schema_migrations';
