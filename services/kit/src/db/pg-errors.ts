/**
 * What a PostgreSQL error (node-postgres) means for the caller, decided in one place for every
 * service:
 * - `unavailable`: the STORE cannot do the work right now, whatever the data: it cannot be reached
 *   or refuses connections (network failures, pool acquisition and client-side query timeouts, a
 *   server going away, shutting down or overloaded, a dropped database, a refused login), or it is
 *   in a state that refuses every write (disk full, out of memory — class 53 —, read-only after a
 *   failover — 25006 —, a revoked privilege — 42501), or the statement lost a race with others
 *   (statement_timeout — 57014 —, serialization failure or deadlock — 40001, 40P01 —, a lock not
 *   available — 55P03). Retry later and back off; it is not the entry's fault;
 * - `data`: class 22, a value PostgreSQL will not store (22021 a NUL byte, 22P05 an unsupported
 *   Unicode escape in jsonb, 22P02 invalid text, 22001 too long…);
 * - `integrity`: class 23, a constraint violation;
 * - `limit`: class 54, a program limit (a tsvector or index row too large);
 * - `other`: anything else (a bug, as a rule).
 * Each caller decides what to do with a kind: auth and mail answer 503 for `unavailable`, the
 * logger turns it into UNAVAILABLE (which the listener holds and backs off on) and isolates
 * `data`/`integrity`/`limit` entries, mail stores the rows of a refused batch one by one on `data`.
 */
export type PgErrorKind = 'unavailable' | 'data' | 'integrity' | 'limit' | 'other';

/**
 * SQLSTATE classes of a store that cannot take work now (matched by prefix): 08 connection
 * exception, 53 insufficient resources (53100 disk full, 53200 out of memory, 53300 too many
 * connections…).
 */
const UNAVAILABLE_CLASSES = ['08', '53'];

/** SQLSTATEs about the store or the moment, never about the statement's data. */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, in recovery)
  '57P04', // database_dropped
  '57P05', // idle_session_timeout
  '57014', // query_canceled: statement_timeout under contention or a slow store
  '3D000', // invalid_catalog_name: the database is gone
  '55000', // object_not_in_prerequisite_state
  '55006', // object_in_use
  '55P03', // lock_not_available
  '25006', // read_only_sql_transaction: a demoted primary, or the database set read-only
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '28000', // invalid_authorization_specification
  '28P01', // invalid_password
  '42501', // insufficient_privilege: the service's role lost a grant
  'XX001', // data_corrupted
  'XX002', // index_corrupted
  '58030', // io_error
]);
/** Node's socket errors (ECONNREFUSED, ECONNRESET, ETIMEDOUT, ENOTFOUND, EPIPE…). */
const NETWORK_CODE = /^E[A-Z]+$/;
/**
 * What node-postgres says when the pool or a client loses its connection, or when its own
 * deadline (`query_timeout`, set by createPgPool) passes with no answer: no code set.
 */
const CONNECTION_MESSAGES =
  /timeout exceeded when trying to connect|Connection terminated|connection is closed|Client has encountered a connection error|not queryable|Query read timeout/i;

export function pgErrorKind(err: unknown): PgErrorKind {
  // Not `instanceof Error`: Node's own socket errors come from another realm under jest's vm.
  if (typeof err !== 'object' || err === null) return 'other';
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (
      UNAVAILABLE_CLASSES.some((prefix) => code.startsWith(prefix)) ||
      UNAVAILABLE_SQLSTATES.has(code) ||
      NETWORK_CODE.test(code)
    ) {
      return 'unavailable';
    }
    if (code.startsWith('22')) return 'data';
    if (code.startsWith('23')) return 'integrity';
    if (code.startsWith('54')) return 'limit';
  }
  return typeof message === 'string' && CONNECTION_MESSAGES.test(message) ? 'unavailable' : 'other';
}

/**
 * The store cannot do the work right now, for any data (as opposed to a bad statement or data
 * it refuses): 503 / UNAVAILABLE to callers, who retry with backoff.
 */
export function isPgUnavailable(err: unknown): boolean {
  return pgErrorKind(err) === 'unavailable';
}

/** PostgreSQL cannot hold this data (classes 22, 23, 54): retrying the same data cannot succeed. */
export function isPgDataRefusal(err: unknown): boolean {
  const kind = pgErrorKind(err);
  return kind === 'data' || kind === 'integrity' || kind === 'limit';
}

/** A refusal as a reason for the caller: SQLSTATE and PostgreSQL's message (no statement text). */
export function pgRefusalReason(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  return `PostgreSQL refused the entry (${String(code)}): ${message}`;
}
