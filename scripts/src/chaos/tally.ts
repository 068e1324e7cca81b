import type { RequestOutcome } from './traffic';

export interface Tally {
  accepted: number;
  refused: number;
  /** Distinct keys found stored (log/event in the logger, mail at the SMTP server). */
  stored: number;
  /** Accepted, but not stored. */
  lost: number;
  /** Keys with more than one stored copy (counted from the records, not from a unique index). */
  duplicated: number;
  lostKeys: string[];
  duplicatedKeys: string[];
}

/** Copies per key, from the logger's query API (through the broker), for one run id. */
export async function storedLogCopies(
  brokerUrl: string,
  token: string,
  runId: string,
): Promise<Map<string, number>> {
  const copies = new Map<string, number>();
  let cursor: string | null = null;
  for (let page = 0; page < 1_000; page += 1) {
    const params = new URLSearchParams({ text: runId, limit: '500' });
    if (cursor) params.set('cursor', cursor);
    const res = await fetch(`${brokerUrl}/api/logs?${params}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(15_000),
    });
    if (!res.ok) throw new Error(`GET /api/logs → ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as {
      data: { entries: { data: string }[]; next_cursor: string | null };
    };
    for (const entry of body.data.entries) {
      const [run, key] = entry.data.split(' ');
      if (run === runId && key) copies.set(key, (copies.get(key) ?? 0) + 1);
    }
    cursor = body.data.next_cursor;
    if (!cursor) break;
  }
  return copies;
}

export function tally(
  outcomes: RequestOutcome[],
  logCopies: Map<string, number>,
  mailCopies: Map<string, number>,
): Tally {
  const copiesOf = (o: RequestOutcome) =>
    (o.action === 'mail' ? mailCopies.get(o.key) : logCopies.get(o.key)) ?? 0;
  const accepted = outcomes.filter((o) => o.outcome === 'accepted');
  const lostKeys = accepted.filter((o) => copiesOf(o) === 0).map((o) => o.key);
  const duplicatedKeys = outcomes.filter((o) => copiesOf(o) > 1).map((o) => o.key);
  return {
    accepted: accepted.length,
    refused: outcomes.length - accepted.length,
    stored: outcomes.filter((o) => copiesOf(o) > 0).length,
    lost: lostKeys.length,
    duplicated: duplicatedKeys.length,
    lostKeys,
    duplicatedKeys,
  };
}

/** True once every accepted request's record has landed (or the caller gives up waiting). */
export function allLanded(
  outcomes: RequestOutcome[],
  logCopies: Map<string, number>,
  mailCopies: Map<string, number>,
): boolean {
  return tally(outcomes, logCopies, mailCopies).lost === 0;
}
