/**
 * Errors that mean "the database cannot be reached right now" (as opposed to a bad statement):
 * network failures, pool acquisition timeouts, and the SQLSTATEs of a server going away or
 * refusing connections.
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (/^08/.test(code)) return true; // connection_exception class
    if (['57P01', '57P02', '57P03', '3D000', '53300', '55000', '28P01', '28000'].includes(code)) {
      return true;
    }
    if (/^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE…
  }
  return /timeout exceeded when trying to connect|Connection terminated|connection is closed|Client has encountered a connection error|not queryable/i.test(
    error.message,
  );
}

/**
 * Errors that mean "PostgreSQL cannot hold this data" (as opposed to an outage or a bug): class 22
 * data exceptions (22021 a NUL byte, 22P05 an unsupported Unicode escape in jsonb, 22P02 invalid
 * text, 22001 too long…), class 23 integrity violations and class 54 program limits (a tsvector or
 * index row too large). Retrying the same data cannot succeed.
 */
export function isDataRefusal(error: unknown): boolean {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^(22|23|54)/.test(code);
}

/** The refusal as a reason for the caller: SQLSTATE and PostgreSQL's message (no statement text). */
export function refusalReason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return `PostgreSQL refused the entry (${String(code)}): ${message}`;
}
