import { z } from 'zod';
import { LEVELS, normalizeLevelName, type Level } from './level-names';

export { LEVELS, type Level } from './level-names';

/** Accepts `info`, `Warn`, `WARNING`… and normalises to the routing-key spelling. */
export const levelSchema = z
  .string()
  .transform(normalizeLevelName)
  .pipe(z.enum(LEVELS, { error: `level must be one of ${LEVELS.join(', ')} (or WARN)` }));

/** Routing key of an event on `logs_topic`: `log.DEBUG` … `log.FATAL`. */
export function routingKeyFor(level: Level): string {
  return `log.${level}`;
}
