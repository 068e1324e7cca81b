/**
 * What a PostgreSQL error (node-postgres) means for the caller, decided in one place for every
 * service:
 * - `unavailable`: the database cannot be reached or refuses connections right now (network
 *   failures, pool acquisition timeouts, a server going away, shutting down or overloaded, a
 *   dropped database, a refused login): retry later, it is not the request's fault;
 * - `timeout`: a statement ran past statement_timeout or was cancelled (57014);
 * - `data`: class 22, a value PostgreSQL will not store (22021 a NUL byte, 22P05 an unsupported
 *   Unicode escape in jsonb, 22P02 invalid text, 22001 too long…);
 * - `integrity`: class 23, a constraint violation;
 * - `limit`: class 54, a program limit (a tsvector or index row too large);
 * - `other`: anything else (a bug, as a rule).
 * Each caller decides what to do with a kind: auth answers 503 for `unavailable` and `timeout`,
 * the logger turns `unavailable` into UNAVAILABLE and isolates `data`/`integrity`/`limit` entries,
 * mail stores the rows of a refused batch one by one on `data`.
 */
export type PgErrorKind = 'unavailable' | 'timeout' | 'data' | 'integrity' | 'limit' | 'other';

/** SQLSTATEs of a server that is not there for us right now (class 08 is matched by prefix). */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, in recovery)
  '57P04', // database_dropped
  '57P05', // idle_session_timeout
  '53300', // too_many_connections
  '3D000', // invalid_catalog_name: the database is gone
  '55000', // object_not_in_prerequisite_state
  '28000', // invalid_authorization_specification
  '28P01', // invalid_password
]);
/** Node's socket errors (ECONNREFUSED, ECONNRESET, ETIMEDOUT, ENOTFOUND, EPIPE…). */
const NETWORK_CODE = /^E[A-Z]+$/;
/** What node-postgres says when the pool or a client loses its connection (no code set). */
const CONNECTION_MESSAGES =
  /timeout exceeded when trying to connect|Connection terminated|connection is closed|Client has encountered a connection error|not queryable/i;

export function pgErrorKind(err: unknown): PgErrorKind {
  // Not `instanceof Error`: Node's own socket errors come from another realm under jest's vm.
  if (typeof err !== 'object' || err === null) return 'other';
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code) || NETWORK_CODE.test(code)) {
      return 'unavailable';
    }
    if (code === '57014') return 'timeout';
    if (code.startsWith('22')) return 'data';
    if (code.startsWith('23')) return 'integrity';
    if (code.startsWith('54')) return 'limit';
  }
  return typeof message === 'string' && CONNECTION_MESSAGES.test(message) ? 'unavailable' : 'other';
}

/** The database cannot be reached right now (as opposed to a bad statement or bad data). */
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
