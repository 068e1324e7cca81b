/**
 * Query parameters with empty values dropped: a form or UI sending `level=` means "any level",
 * not "the level named ''".
 */
export function nonEmptyParams(query: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value !== ''));
}
