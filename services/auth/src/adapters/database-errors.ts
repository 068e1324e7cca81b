/** SQLSTATE classes/codes that mean "the database is not there right now", not "bad query". */
const UNAVAILABLE_SQLSTATES = [/^08/, /^57P0/, /^53300$/, /^3D000$/, /^57014$/];
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE']);
const POOL_MESSAGES = [/timeout exceeded when trying to connect/i, /Connection terminated/i];

/** True when a pg error says PostgreSQL is down, unreachable, overloaded or too slow. */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code)) return true;
    if (UNAVAILABLE_SQLSTATES.some((pattern) => pattern.test(code))) return true;
  }
  return POOL_MESSAGES.some((pattern) => pattern.test(err.message));
}
