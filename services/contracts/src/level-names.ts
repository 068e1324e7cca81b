// No zod here: the web app's bundle imports this file alone (`@micromesh/contracts/level-names`).

/** The five levels of a log entry or event, in order of severity. */
export const LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'FATAL'] as const;
export type Level = (typeof LEVELS)[number];

/** `info`, ` Warn`, `WARNING` → the routing-key spelling (`INFO`, `WARNING`); anything else upper-cased. */
export function normalizeLevelName(text: string): string {
  const upper = text.trim().toUpperCase();
  return upper === 'WARN' ? 'WARNING' : upper;
}

/** The level a spelling names, or null when it names none. */
export function levelNamed(text: string): Level | null {
  const name = normalizeLevelName(text);
  return (LEVELS as readonly string[]).includes(name) ? (name as Level) : null;
}
