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
