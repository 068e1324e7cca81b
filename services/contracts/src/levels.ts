import { z } from 'zod';

/** The five levels of a log entry or event, in order of severity. */
export const LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'FATAL'] as const;
export type Level = (typeof LEVELS)[number];

/** Accepts `info`, `Warn`, `WARNING`… and normalises to the routing-key spelling. */
export const levelSchema = z
  .string()
  .transform((v) => v.trim().toUpperCase())
  .transform((v) => (v === 'WARN' ? 'WARNING' : v))
  .pipe(z.enum(LEVELS, { error: `level must be one of ${LEVELS.join(', ')} (or WARN)` }));

/** Routing key of an event on `logs_topic`: `log.DEBUG` … `log.FATAL`. */
export function routingKeyFor(level: Level): string {
  return `log.${level}`;
}
