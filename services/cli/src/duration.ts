import { CliError, EXIT } from './exit-codes';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `15m`, `2h`, `7d` before now, or an ISO date; as an ISO timestamp. */
export function sinceToIso(value: string, now = Date.now()): string {
  const match = /^(\d+)([smhd])$/.exec(value.trim());
  if (match)
    return new Date(now - Number(match[1]) * (UNITS[match[2] ?? 's'] ?? 1_000)).toISOString();
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new CliError(`not a time: ${value} (use 15m, 2h, 7d or an ISO date)`, EXIT.usage);
  }
  return date.toISOString();
}
